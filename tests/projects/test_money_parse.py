"""One parser for amounts typed by people (``core.money``), used by the residents' and
the staff's forms alike."""

from __future__ import annotations

import pytest
from django import forms

from shezhi.core import money
from shezhi.projects.forms_resident import fen_of
from shezhi.projects.forms_staff import exact


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1_200),
        ("12.5", 1_250),
        ("12.50", 1_250),
        ("¥1,234.56", 123_456),
        ("￥1，200", 120_000),
        (" 0.01 ", 1),
        ("１２.５", 1_250),  # full-width digits read as digits
        ("12.500", 1_250),  # trailing zeros are not fen split
    ],
)
def test_yuan_read_exactly(text, fen):
    assert money.fen(text) == fen
    assert fen_of(text) == fen
    assert exact(text, 2, "bad") == fen


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12.345", "decimals"),
        ("0.001", "decimals"),
        ("-5", "negative"),
        ("abc", "number"),
        ("", "number"),
        ("NaN", "number"),
        ("Infinity", "number"),
        ("1.2.3", "number"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_its_reason(text, reason):
    with pytest.raises(money.NotAnAmount) as caught:
        money.fen(text)
    assert caught.value.reason == reason
    with pytest.raises(forms.ValidationError):
        fen_of(text)


def test_the_staff_forms_scale_percentages_and_refuse_what_does_not_fit():
    assert exact("50", 2, "bad") == 5_000
    assert exact("12.25", 2, "bad") == 1_225
    assert exact("-3", 2, "bad") == -300  # the sign is the caller's to judge
    with pytest.raises(forms.ValidationError, match="bad"):
        exact("12.255", 2, "bad")
    with pytest.raises(forms.ValidationError):
        fen_of("0")
    with pytest.raises(forms.ValidationError):
        fen_of("10000000.01")  # above AMOUNT_MAX
