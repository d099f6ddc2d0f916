"""Grouping quality on the labelled pairs (issue 16 §2): precision and recall of
``demands.matching`` on tests/data/demand_pairs.csv, at the chosen threshold and across
a sweep, against the targets (precision ≥ 0.9 at recall ≥ 0.8); and the time to match a
new demand against N open ones and to group N demands from scratch (PASS/FAIL).

    PYTHONPATH=src python bench/demand_grouping.py [--n 100000] [--check 2000]

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
    ap.add_argument(
        "--check", type=int, default=0, help="compare with scoring every demand on this many"
    )
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

    # A new demand against N open ones, and N grouped from scratch (matching.Index).
    texts = [t for a, b, *_ in pairs for t in (a, b)]
    items = synthetic(texts, args.n)
    index = matching.Index(by_group=False)
    t0 = time.perf_counter()
    for n, (text, point) in enumerate(items):
        index.add(matching.profile(text), point, ident=n)
    built = time.perf_counter() - t0
    rng = random.Random(61)
    times = []
    for text, point in synthetic(texts, 31, seed=7):
        t0 = time.perf_counter()
        index.candidates(matching.profile(text), point)
        times.append((time.perf_counter() - t0) * 1000)
    p50 = statistics.median(times)
    print(
        f"index of {args.n} open demands ({len(index.entries)} distinct entries) built in "
        f"{built:.1f} s"
    )
    print(
        f"matching one demand against {args.n} open demands: p50 {p50:.1f} ms, "
        f"max {max(times):.1f} ms (target < 100 ms): " + ("PASS" if p50 < 100 else "FAIL")
    )
    rng.shuffle(items)
    t0 = time.perf_counter()
    labels = matching.group_all(items)
    took = time.perf_counter() - t0
    print(
        f"grouping {args.n} demands from scratch: {took:.1f} s, {len(set(labels))} groups "
        "(target < 60 s): " + ("PASS" if took < 60 else "FAIL")
    )
    if args.check:
        sample = items[: args.check]
        slow = naive_group_all(sample)
        fast = matching.group_all(sample)
        same = len(set(zip(slow, fast, strict=True))) == len(set(slow)) == len(set(fast))
        print(f"index vs scoring every demand on {args.check}: same groups: {same}")


# A community about 2 km across: 400 buildings; a demand is made at one, within ~30 m.
ORIGIN = (104.06, 30.67)


def synthetic(texts: list[str], n: int, seed: int = 16) -> list[tuple[str, tuple]]:
    rng = random.Random(seed)
    spots = [
        (ORIGIN[0] + rng.uniform(0, 0.02), ORIGIN[1] + rng.uniform(0, 0.018)) for _ in range(400)
    ]
    out = []
    for _ in range(n):
        x, y = rng.choice(spots)
        point = (x + rng.uniform(-3e-4, 3e-4), y + rng.uniform(-3e-4, 3e-4))
        out.append((rng.choice(texts), point))
    return out


def naive_group_all(items) -> list[int]:
    """The rule of ``matching.group_all`` by scoring every earlier demand (the check)."""
    seen: list[tuple[matching.Profile, tuple, int]] = []
    labels = []
    for text, point in items:
        prof = matching.profile(text)
        best, best_score = None, 0.0
        for p, pt, label in seen:
            s = matching.score(prof, p, point, pt)
            if s >= matching.THRESHOLD and s > best_score:
                best, best_score = label, s
        label = len(set(labels)) if best is None else best
        seen.append((prof, point, label))
        labels.append(label)
    return labels


if __name__ == "__main__":
    main()
