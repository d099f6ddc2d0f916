"""Two runs of ``bench/work_pages.py --json`` side by side: before (e.g. main) and after
(a branch), request by request, against the 150 ms target.

    python bench/compare_json.py BEFORE.json AFTER.json [--label-before main]
        [--label-after branch]

Measure the two on the same database one after the other (``--cache`` shared; main
first, as work_pages.py's docstring says: the branch's migrations are applied on its
run). Each side's load average is printed: another process on the same cores slows
every figure. Exits 1 when the after run has a request over the target or failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TARGET_MS = 150.0


def _pad(text: str, width: int) -> str:
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _cell(row: dict | None) -> tuple[str, str, str]:
    if row is None:
        return "—", "—", "—"
    if "error" in row:
        return "error", "", "FAIL"
    verdict = "PASS" if row["cold_ms"] <= TARGET_MS else "FAIL"
    cold = f"{row['cold_ms']:.1f} ({min(row['cold_all']):.0f})"
    return cold, f"{row['cold_queries']}/{row['warm_queries']}", verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--label-before", default="before")
    parser.add_argument("--label-after", default="after")
    args = parser.parse_args()
    before = json.loads(Path(args.before).read_text())
    after = json.loads(Path(args.after).read_text())
    ok = side_by_side(before, after, args.label_before, args.label_after)
    return 0 if ok else 1


def side_by_side(before: dict, after: dict, b_label: str, a_label: str) -> bool:
    """Print the two runs request by request; true when every after request passed."""
    print(f"database: {before['db']} / {after['db']}, {after['info']['events']:,} events")
    for label, run in ((b_label, before), (a_label, after)):
        lb, la = run["load_before"], run["load_after"]
        print(f"{label}: load average before {lb[0]:.2f}, after {la[0]:.2f}")
    print(
        f"cold ms: median (fastest) of the cold runs; queries cold/warm; target ≤ "
        f"{TARGET_MS:.0f} ms cold (the median)"
    )
    head = (
        f"{'request':<38}{'role':<25}{b_label + ' ms':>15}{'queries':>9}"
        f"{a_label + ' ms':>15}{'queries':>9}{'Δ ms':>9}  verdicts"
    )
    print(head)
    keyed = {(r["what"], r["role"]): r for r in before["rows"]}
    ok = True
    for r in after["rows"]:
        b = keyed.pop((r["what"], r["role"]), None)
        b_ms, b_q, b_v = _cell(b)
        a_ms, a_q, a_v = _cell(r)
        ok &= a_v == "PASS"
        delta = (
            f"{r['cold_ms'] - b['cold_ms']:+.1f}"
            if b is not None and "cold_ms" in b and "cold_ms" in r
            else ""
        )
        print(
            f"{_pad(r['what'], 38)}{r['role']:<25}{b_ms:>15}{b_q:>9}{a_ms:>15}{a_q:>9}"
            f"{delta:>9}  {b_v} → {a_v}"
        )
    for (what, role), b in keyed.items():  # measured before only
        b_ms, b_q, b_v = _cell(b)
        print(f"{_pad(what, 38)}{role:<25}{b_ms:>15}{b_q:>9}{'—':>15}{'—':>9}{'':>9}  {b_v} → —")
    passed = sum(_cell(r)[2] == "PASS" for r in after["rows"])
    was = sum(_cell(r)[2] == "PASS" for r in before["rows"])
    print(
        f"{b_label}: {was} of {len(before['rows'])} within {TARGET_MS:.0f} ms cold; "
        f"{a_label}: {passed} of {len(after['rows'])}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
