"""Time `shezhi demo` on a fresh SQLite database against the 120 s target (issue 15).

    python bench/demo.py [--households SCALE]

Migrates a new database in a temporary folder, then times the demo build (geometry,
validation and all writes) as a user would run it, with this checkout's code (its
``src`` first on the path, whatever is installed). Prints each step's own line (the
demo times its steps) and the whole. ``--households`` passes the household base's scale
to the demo (1 = the whole district's half a million residents; default: the demo's own).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 120.0
SRC = Path(__file__).resolve().parent.parent / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=float, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SHEZHI_DATA_DIR"] = data
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        cmd = [sys.executable, "-m", "shezhi"]
        subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True)
        extra = [] if args.households is None else ["--households", str(args.households)]
        started = time.perf_counter()
        cpu_started = os.times()
        out = subprocess.run(
            [*cmd, "demo", "--no-progress", *extra],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        cpu = os.times()
    for line in out.stdout.splitlines():
        if line.startswith("Demo sign-ins"):
            break
        print(line)
    child_cpu = (cpu.children_user - cpu_started.children_user) + (
        cpu.children_system - cpu_started.children_system
    )
    ok = elapsed < TARGET_S
    print(
        f"shezhi demo {' '.join(extra)} on a fresh SQLite database: {elapsed:.1f} s "
        f"(CPU {child_cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores at the end; target < {TARGET_S:.0f} s)"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
