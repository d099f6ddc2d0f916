"""core.periods' local windows (one definition for every "from this day to that day"
filter) and core.api.created (fetch in scope, call the service, answer 201)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.http import Http404
from django.test import override_settings
from django.utils import timezone
from ninja import Schema

from shezhi.core.api import created
from shezhi.core.periods import Period, days_window, local_window


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_a_window_runs_from_local_midnight_to_local_midnight():
    with timezone.override("Asia/Shanghai"):
        start, end = local_window(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
        assert start == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)
        assert end == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
        # A campaign's last day is included: the window ends at the next midnight.
        assert days_window(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (start, end)
        assert Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1)).window == (start, end)


class _In(Schema):
    title: str
    area: str = ""


def test_created_fetches_first_then_calls_the_service_and_answers_201():
    calls = []
    user = SimpleNamespace(pk=7)
    request = SimpleNamespace(user=user)

    def fetch(u, pk):
        calls.append(("fetch", u.pk, pk))
        if pk != 1:
            raise Http404
        return "parent"

    def service(**kwargs):
        calls.append(("service", kwargs))
        return {"made": kwargs["title"]}

    def area(_parent):
        calls.append(("area",))
        return {"area": "AREA"}

    answer = created(request, fetch, 1, service, into="owner", payload=_In(title="t", area="c"),
                     extra=area, out=lambda made: made["made"])  # fmt: skip
    assert answer.status_code == 201 and answer.value == "t"
    assert calls == [
        ("fetch", 7, 1),
        ("area",),
        ("service", {"actor": user, "owner": "parent", "title": "t", "area": "AREA"}),
    ]
    calls.clear()
    # Outside the caller's scope: a 404 before the extra fields or the service are looked at.
    with pytest.raises(Http404):
        created(request, fetch, 2, service, into="owner", payload=_In(title="t"), extra=area)
    assert calls == [("fetch", 7, 2)]
