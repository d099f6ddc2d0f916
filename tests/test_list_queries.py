"""A list's queries do not grow with its rows (issue 14).

Each case builds rows for one list (a page or an API), asks for it as the role whose
work it is, and counts the queries with 5 rows and again with 50: the two counts must
be the same. Whatever a row shows is read for the whole page at once, never per row.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 50


# ---------------------------------------------------------------------------
# The events list API and "my reports" (events/api.py list_events,
# events/views_report.py my_reports)


def _event_rows(cast, territory, n: int) -> None:
    """``n`` more events in micro1, each reported by the resident (followed), every
    other one with a "me too" from resident2, dispatched in turns to the worker, the
    community or a department, with deadlines (so each row shows an SLA colour)."""
    from shezhi.events.models import Category, Event, EventFollower
    from tests.factories import EventFactory, EventFollowerFactory

    cast.assemble("resident", "resident2", "mg_worker", "community", "district", "dept_cg")
    category = Category.objects.get(code="0101")
    now = timezone.now()
    kinds = [
        {"handler_kind": "worker", "handler_user": cast.mg_worker},
        {"handler_kind": "community", "handler_area": territory["community"]},
        {"handler_kind": "department", "handler_department": cast.cg},
    ]
    for i in range(n):
        event = EventFactory(
            area=territory["micro1"],
            category=category,
            submitted_by=cast.resident,
            state=Event.State.DISPATCHED,
            created_at=now - dt.timedelta(minutes=i),
            deadline_at=now + dt.timedelta(hours=i % 3 - 1),
            warn_at=now - dt.timedelta(hours=1),
            **kinds[i % 3],
        )
        EventFollowerFactory(event=event, user=cast.resident, kind=EventFollower.Kind.REPORTER)
        if i % 2:
            EventFollowerFactory(event=event, user=cast.resident2)


EVENT_LISTS = [
    ("events API, community staff", "community", "/api/v1/events?limit=100"),
    ("events API, district admin, state", "district", "/api/v1/events?limit=100&state=dispatched"),
    ("events API, department staff", "dept_cg", "/api/v1/events?limit=100"),
    ("events API, mine", "resident", "/api/v1/events?limit=100&mine=true"),
    ("events API, sla", "district", "/api/v1/events?limit=100&sla=yellow"),
    ("events API, handler=me", "mg_worker", "/api/v1/events?limit=100&handler=me"),
    ("my reports", "resident", "/events/mine/"),
    ("my reports, a me too's", "resident2", "/events/mine/"),
]


@pytest.mark.parametrize(("name", "role", "url"), EVENT_LISTS, ids=[c[0] for c in EVENT_LISTS])
def test_event_lists_cost_the_same_queries_for_5_rows_as_for_50(
    client, shared_cast, territory, name, role, url
):
    from shezhi.events import default_categories
    from shezhi.events.models import Category

    default_categories.load(Category)
    counts = []
    for n in (FEW, MANY - FEW):
        _event_rows(shared_cast, territory, n)
        client.force_login(getattr(shared_cast, role))
        client.get(url)  # warm the session and the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts.append(len(queries))
        if url.startswith("/api/"):
            assert len(response.json()["items"]) > 0, name
    assert counts[0] == counts[1], (name, counts)
