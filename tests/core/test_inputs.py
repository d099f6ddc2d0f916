"""``core.inputs.text``: the one text check of the services (lists, cases, demands,
organisations, campaigns): stripped text, or ``BadInput`` naming the field."""

from __future__ import annotations

import pytest
from django.utils import translation

from shezhi.core.errors import BadInput
from shezhi.core.inputs import text


def test_text_is_stripped_and_none_is_empty():
    assert text("  楼道灯坏了 \n", 10, "title") == "楼道灯坏了"
    assert text(None, 10, "note") == ""
    assert text("", 10, "note") == ""
    assert text("一二三", 3, "title") == "一二三"  # the limit itself is allowed


@pytest.mark.parametrize(
    ("value", "limit", "required", "message"),
    [
        (42, 10, False, "This must be text."),
        (["a"], 10, False, "This must be text."),
        (None, 10, True, "This field is required."),
        ("   ", 10, True, "This field is required."),
        ("一二三四", 3, False, "At most 3 characters."),
        ("  一二三四  ", 3, True, "At most 3 characters."),
    ],
)
def test_bad_text_is_refused_naming_the_field(value, limit, required, message):
    with translation.override("en"), pytest.raises(BadInput) as caught:
        text(value, limit, "summary", required=required)
    assert caught.value.field == "summary"
    assert caught.value.message == message
    assert caught.value.status == 400


def test_the_refusal_speaks_chinese_first():
    with translation.override("zh-hans"), pytest.raises(BadInput) as caught:
        text("", 10, "title", required=True)
    assert caught.value.message != "This field is required."


def test_the_apps_share_it_with_their_own_required_default():
    from shezhi.campaigns import services as campaigns
    from shezhi.cases import services as cases
    from shezhi.demands import services as demands
    from shezhi.lists import services as lists
    from shezhi.organisations import services as organisations

    for module in (lists, cases, demands, organisations):
        assert module._text is text
        assert module._text(None, 5, "x") == ""
    with pytest.raises(BadInput) as caught:
        campaigns._text("", 5, "title")  # a campaign's texts are required unless told
    assert caught.value.field == "title"
    assert campaigns._text("", 5, "note", required=False) == ""
