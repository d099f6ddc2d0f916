"""The grouping's quality on the hand-labelled pairs stays above the levels it reached
(precision ≥ 0.9, recall ≥ 0.95 at ``matching.THRESHOLD``; the issue asks ≥ 0.9 / ≥ 0.8),
and the matcher's parts behave: place markers, filler words, distance."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from shezhi.demands import matching

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "demand_grouping", ROOT / "bench" / "demand_grouping.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_quality_on_the_labelled_pairs():
    bench = _bench()
    pairs = bench.load()
    assert len(pairs) >= 300
    kinds = {k for *_x, k in pairs}
    assert kinds == {"paraphrase", "same_topic_other_place", "other_topic_shared_words"}
    precision, recall = bench.quality()
    assert precision >= 0.9, precision
    assert recall >= 0.95, recall


def test_places_are_read_and_kept_apart():
    assert matching.places_of("阳光花园3栋希望加装电梯") == {"阳光花园", "3栋"}
    assert matching.places_of("我们小区东门没有监控") == {"东门"}
    assert not matching.same("阳光花园3栋希望加装电梯", "锦绣苑12栋希望加装电梯")
    assert matching.same("3栋希望加装电梯", "阳光花园3栋老人爬楼太难，想装电梯")


def test_paraphrases_meet_through_topics():
    assert matching.same("车位太少，晚上没地方停", "停车太难了，希望多划停车位")
    assert not matching.same("希望开办老年食堂", "希望开设托育点")


def test_distance_keeps_far_points_apart():
    a, b = "路灯不亮，晚上太暗", "路灯坏了，晚上黑漆漆的"
    assert matching.same(a, b, (104.02, 30.62), (104.0201, 30.6201))
    assert not matching.same(a, b, (104.02, 30.62), (104.03, 30.63))


def test_empty_and_odd_text_score_zero():
    assert matching.similarity("", "希望加装电梯") == 0
    assert matching.similarity("!!!", "123") == 0


def test_the_index_finds_what_scoring_every_text_finds():
    """``Index.best`` / ``group_all`` give the groups that scoring every earlier demand
    gives (bench/demand_grouping.py's check, on 600 synthetic demands)."""
    bench = _bench()
    texts = [t for a, b, *_ in bench.load() for t in (a, b)]
    items = bench.synthetic(texts, 600, seed=3)
    slow = bench.naive_group_all(items)
    fast = matching.group_all(items)
    assert len(set(zip(slow, fast, strict=True))) == len(set(slow)) == len(set(fast))
    index = matching.Index(by_group=False)
    for n, (text, point) in enumerate(items[:300]):
        index.add(matching.profile(text), point, ident=n)
    assert len(index.entries) <= index.size == 300
    for text, point in items[300:340]:
        prof = matching.profile(text)
        want = max(matching.score(prof, matching.profile(t), point, p) for t, p in items[:300])
        entry, got = index.best(prof, point)
        if want < matching.THRESHOLD:
            assert entry is None
        else:
            assert abs(got - want) < 1e-9
            found = index.candidates(prof, point)
            assert abs(found[0][0] - want) < 1e-9
            assert all(s >= matching.THRESHOLD for s, _e in found)
