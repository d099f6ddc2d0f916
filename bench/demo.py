"""Time `shezhi demo` on a fresh SQLite database against the 60 s target.

    python bench/demo.py

Migrates a new database in a temporary folder, then times the demo build (geometry,
validation and all writes) as a user would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

TARGET_S = 60.0


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SHEZHI_DATA_DIR"] = data
        cmd = [sys.executable, "-m", "shezhi"]
        subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        out = subprocess.run(
            [*cmd, "demo", "--no-progress"], env=env, check=True, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
    print(out.stdout.splitlines()[0])
    ok = elapsed < TARGET_S
    print(f"shezhi demo on a fresh SQLite database: {elapsed:.1f} s (target < {TARGET_S:.0f} s)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
