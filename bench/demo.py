"""Time `shezhi demo` on a fresh SQLite database against the 120 s target (issue 15).

    python bench/demo.py [--households SCALE] [--baseline CHECKOUT]

Migrates a new database in a temporary folder, then times the demo build (geometry,
validation and all writes) as a user would run it, with this checkout's code (its
``src`` first on the path, whatever is installed). Prints each step's own line (the
demo times its steps) and the whole. ``--households`` passes the household base's scale
to the demo (1 = the whole district's half a million residents; default: the demo's own).
``--baseline /work/main`` first runs the same bench on that checkout's code, then this
one's, one after the other (never side by side: they would share the cores), and prints
each step's seconds beside each other.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_S = 120.0
SRC = Path(__file__).resolve().parent.parent / "src"
# A step's line ends with its own time: "Demo visits: 1234 visits, …, 18.5 s."
STEP = re.compile(r"^(?P<name>[^:,]+?)(?::| built:).*?(?P<s>\d+(?:\.\d+)?) s\.$")


@dataclass
class Run:
    elapsed: float
    cpu: float
    lines: list[str]

    def steps(self) -> dict[str, float]:
        found = {}
        for line in self.lines:
            m = STEP.match(line)
            if m:
                found[m["name"]] = float(m["s"])
        return found


def run(src: Path, extra: list[str]) -> Run:
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SHEZHI_DATA_DIR"] = data
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
        cmd = [sys.executable, "-m", "shezhi"]
        subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True)
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
    lines = []
    for line in out.stdout.splitlines():
        if line.startswith("Demo sign-ins"):
            break
        lines.append(line)
    child_cpu = (cpu.children_user - cpu_started.children_user) + (
        cpu.children_system - cpu_started.children_system
    )
    return Run(elapsed, child_cpu, lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=float, default=None)
    parser.add_argument(
        "--baseline", type=Path, default=None, metavar="CHECKOUT",
        help="another checkout (e.g. /work/main) to time first, with the same options",
    )  # fmt: skip
    args = parser.parse_args()
    extra = [] if args.households is None else ["--households", str(args.households)]
    base = None
    if args.baseline is not None:
        base = run(args.baseline.resolve() / "src", extra)
        print(f"baseline ({args.baseline}): {base.elapsed:.1f} s (CPU {base.cpu:.1f} s)")
    this = run(SRC, extra)
    for line in this.lines:
        print(line)
    if base is not None:
        print(f"\n{'step':<28} {'baseline s':>10} {'this s':>8}")
        mine = this.steps()
        theirs = base.steps()
        for name in dict.fromkeys([*theirs, *mine]):
            b, m = theirs.get(name), mine.get(name)
            print(
                f"{name:<28} {'' if b is None else f'{b:.1f}':>10} "
                f"{'' if m is None else f'{m:.1f}':>8}"
            )
        print(f"{'whole':<28} {base.elapsed:>10.1f} {this.elapsed:>8.1f}")
    ok = this.elapsed < TARGET_S
    print(
        f"shezhi demo {' '.join(extra)} on a fresh SQLite database: {this.elapsed:.1f} s "
        f"(CPU {this.cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores at the end; target < {TARGET_S:.0f} s)"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
