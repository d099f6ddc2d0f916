"""The demo's case library: at least 30 published cases in Chinese, searchable at once."""

from __future__ import annotations

import pytest

from shezhi.cases import selectors
from shezhi.cases.models import Case
from shezhi.core import search
from shezhi.demo.case_texts import CASES
from shezhi.demo.cases import build_demo_cases

pytestmark = pytest.mark.django_db


def test_nothing_without_the_demo_district(db):
    assert build_demo_cases() == 0


def test_the_demo_cases_are_published_and_searchable(territory, shared_cast):
    assert shared_cast.community  # the demo's writer, when present
    assert build_demo_cases() == len(CASES)
    assert build_demo_cases() == 0  # idempotent
    published = selectors.published()
    assert published.count() >= 30
    assert Case.objects.exclude(status="published").count() == len(CASES) - published.count()
    assert all(len(c.title) >= 8 and c.figures and c.tag_list for c in published)
    for q in ("加装电梯", "四点半课堂", "垃圾分类", "停车", "院落自治", "社区食堂", "楼栋长"):
        assert selectors.search(q)[0], q
    # 老 alone finds only the cases where the segmenter leaves it a word of its own
    # (老院落: "old courtyard"), not the many that say 老人 or 老旧.
    with_old = [c for c in published if "老人" in c.background + c.approach + c.results]
    alone = selectors.search("老", limit=50)[0]
    assert len(with_old) >= 8 and len(alone) <= 3
    assert all("老" in search.segment(c.title + c.background + c.approach + c.results +
                                      c.summary).split() for c in alone)  # fmt: skip
