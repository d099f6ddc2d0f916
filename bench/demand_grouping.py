"""Grouping quality on the labelled pairs (issue 16 §2): precision and recall of
``demands.matching`` on tests/data/demand_pairs.csv, at the chosen threshold and across
a sweep, against the targets (precision ≥ 0.9 at recall ≥ 0.8); and the time to score a
new demand against N open ones.

    PYTHONPATH=src python bench/demand_grouping.py [--n 100000]

Pure Python on the matcher: no database, no Django.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from shezhi.demands import matching

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "demand_pairs.csv"


def load(path: Path = PAIRS) -> list[tuple[str, str, bool, str]]:
    with path.open(encoding="utf-8") as f:
        return [(r["text_a"], r["text_b"], r["same"] == "1", r["kind"]) for r in csv.DictReader(f)]


def figures(scored, threshold: float) -> tuple[float, float, int, int]:
    tp = sum(1 for s, y, _k in scored if s >= threshold and y)
    fp = sum(1 for s, y, _k in scored if s >= threshold and not y)
    pos = sum(1 for _s, y, _k in scored if y)
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / pos if pos else 0.0, tp, fp


def quality(path: Path = PAIRS) -> tuple[float, float]:
    pairs = load(path)
    scored = [(matching.similarity(a, b), y, k) for a, b, y, k in pairs]
    p, r, _tp, _fp = figures(scored, matching.THRESHOLD)
    return p, r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000, help="open demands to match against")
    args = ap.parse_args()
    pairs = load()
    scored = [(matching.similarity(a, b), y, k) for a, b, y, k in pairs]
    print(f"{len(pairs)} labelled pairs ({sum(y for *_, y, _k in pairs)} same) in {PAIRS.name}")
    print("threshold  precision  recall")
    for t in [x / 100 for x in range(10, 61, 5)]:
        p, r, _tp, _fp = figures(scored, t)
        mark = " <- chosen" if abs(t - matching.THRESHOLD) < 1e-9 else ""
        print(f"  {t:.2f}      {p:.3f}     {r:.3f}{mark}")
    p, r, tp, fp = figures(scored, matching.THRESHOLD)
    ok = p >= 0.9 and r >= 0.8
    print(
        f"chosen threshold {matching.THRESHOLD:.2f}: precision {p:.3f} (target ≥ 0.9), "
        f"recall {r:.3f} (target ≥ 0.8), {tp} true and {fp} false matches: "
        + ("MET" if ok else "MISSED")
    )
    for kind in sorted({k for *_x, k in scored}):
        sub = [x for x in scored if x[2] == kind]
        wrong = sum(1 for s, y, _k in sub if (s >= matching.THRESHOLD) != y)
        print(f"  {kind:28s} {len(sub):4d} pairs, {wrong} misjudged")

    # A new demand against N open ones (profiles kept with the groups; the score only).
    texts = [t for a, b, *_ in pairs for t in (a, b)]
    rng = random.Random(16)
    profiles = [matching.profile(rng.choice(texts)) for _ in range(args.n)]
    times = []
    for text in rng.sample(texts, 7):
        t0 = time.perf_counter()
        new = matching.profile(text)
        max(matching.score(new, p) for p in profiles)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"matching one demand against {args.n} open profiles: p50 {statistics.median(times):.0f} ms"
        " (issue target: under 100 ms; see the report: a community holds far fewer)"
    )


if __name__ == "__main__":
    main()
