"""The events lists at any size: the filters written for an index mean what the
pages' rules say, and every way a page is read gives the same rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from shezhi.core import lists
from shezhi.events import permissions, selectors
from shezhi.events.models import Event, EventFollower
from tests.events.conftest import IN_COMMUNITY2, IN_MICRO2, act, category, report
from tests.factories import EventFactory, EventFollowerFactory, UserFactory

S = Event.State
NOW = timezone.now()


@pytest.mark.django_db
def test_sla_q_is_sla_colour(territory):
    micro = territory["micro1"]
    hour = dt.timedelta(hours=1)
    for state in (S.DISPATCHED, S.ACCEPTED, S.DEFERRAL_REQUESTED, S.HANDLED, S.REGISTERED):
        for deadline, warn in [
            (None, None),
            (NOW - hour, NOW - 2 * hour),
            (NOW, NOW - hour),
            (NOW + hour, NOW - hour),
            (NOW + hour, NOW),
            (NOW + 2 * hour, NOW + hour),
            (NOW + hour, None),
        ]:
            EventFactory(
                area=micro, category=category(), state=state, deadline_at=deadline, warn_at=warn
            )
    rows = list(Event.objects.all())
    for colour in ("red", "yellow", "green"):
        expected = {e.pk for e in rows if selectors.sla_colour(e, NOW) == colour}
        got = set(Event.objects.filter(selectors.sla_q(colour, NOW)).values_list("pk", flat=True))
        assert got == expected, colour
        annotated = selectors.with_sla(Event.objects.all(), NOW).filter(sla=colour)
        assert got == set(annotated.values_list("pk", flat=True))


@pytest.mark.django_db
def test_awaiting_count_is_waits_for(territory):
    micro = territory["micro1"]
    me, other = UserFactory(), UserFactory()
    at = NOW - dt.timedelta(days=1)
    handlers = [("worker", me), ("worker", other), ("community", None), ("", None)]
    times = [(None, None), (None, at), (at, at), (at - at.resolution, at), (at, None)]
    for reporter in (me, other, None):
        for state in (S.HANDLED, S.CLOSED, S.ACCEPTED):
            for kind, handler in handlers:
                for rated_at, closed_at in times:
                    EventFactory(
                        area=micro, category=category(), reporter=reporter, state=state,
                        handler_kind=kind, handler_user=handler, rated_at=rated_at,
                        closed_at=closed_at,
                    )  # fmt: skip
    expected = sum(1 for e in Event.objects.all() if selectors.waits_for(me, e))
    assert expected > 0
    assert selectors.awaiting_count(me) == expected


@pytest.mark.django_db
def test_my_reports_pages_are_my_reports(actors):
    mine = [report(actors.resident) for _ in range(4)]
    theirs = [report(actors.resident2, point=IN_MICRO2) for _ in range(3)]
    for event in theirs[:2]:
        EventFollowerFactory(event=event, user=actors.resident, kind="me_too")
    # Reported in their name but not followed (a row only a factory makes): not theirs.
    EventFactory(area=mine[0].area, category=category(), reporter=actors.resident)
    expected = list(selectors.my_reports(actors.resident))
    assert len(expected) == 6
    pages = selectors.my_reports_pages(actors.resident)
    assert pages.count() == 6
    for per_page in (1, 2, 4, 6, 10):
        got = []
        for offset in range(0, 6, per_page):
            got += pages[offset : offset + per_page]
        assert got == expected, per_page
    assert selectors.my_reports_pages(UserFactory()).count() == 0


ROLES = ["resident", "resident2", "mg_worker", "grid_worker", "community", "street",
         "district", "dept_cg", "dept_zj", "nobody"]  # fmt: skip
WANTS = [
    selectors.EventFilter(),
    selectors.EventFilter(states=(S.REPORTED,)),
    selectors.EventFilter(states=(S.REGISTERED, S.DISPATCHED)),
    selectors.EventFilter(mine=True),
    selectors.EventFilter(mine=False, source="resident"),
    selectors.EventFilter(handler_me=True),
    selectors.EventFilter(sla="green"),
    selectors.EventFilter(category="01"),
    selectors.EventFilter(category="01", source="resident"),
    selectors.EventFilter(category="0101", source="patrol"),
    selectors.EventFilter(states=(S.REPORTED,), source="resident"),
    selectors.EventFilter(states=(S.REGISTERED, S.DISPATCHED), source="resident", category="02"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("strategy", [(5000, 2000, 50_000), (0, 2, 1000), (0, 2, 0)])
def test_event_page_is_the_scoped_list_whichever_index_drives(
    actors, territory, monkeypatch, strategy
):
    for name, value in zip(("GATHER_MAX", "WALK_WINDOW", "LARGE_SET"), strategy, strict=True):
        monkeypatch.setattr(lists, name, value)
    made = [report(actors.resident, code=code) for code in ("0101", "0201", "0102")]
    made += [report(actors.resident2, point=IN_MICRO2), report(actors.mg_worker, source="patrol")]
    made.append(report(actors.community2, point=IN_COMMUNITY2, source="hotline"))
    act(actors.resident2, made[0], "me_too")
    act(actors.community, made[0], "register")
    act(actors.community, made[0], "dispatch", data={"target": "worker"})
    act(actors.community, made[1], "register")
    act(actors.community, made[1], "dispatch", data={"target": "department", "department": "cg"})
    act(actors.community, made[3], "register")
    # An area: the scope inside it is tried arm by arm (a department's, a follower's).
    areas = [
        selectors.EventFilter(area=territory["community"]),
        selectors.EventFilter(area=territory["micro1"], source="resident"),
    ]
    for role in ROLES:
        user = getattr(actors, role)
        for want in WANTS + areas:
            expected = _naive(user, want)
            got, after = [], None
            while True:
                page = selectors.event_page(user, want, limit=2, after=after, now=NOW)
                got += [e.pk for e in page.items]
                assert page.count.value == len(expected), (role, want)
                after = page.next_cursor
                if after is None:
                    break
            assert got == expected, (role, want)


def _naive(user, want) -> list[int]:
    """The list as the API wrote it before: annotate the colour, filter, sort."""
    qs = selectors.with_sla(selectors.visible_events(user), NOW)
    if want.states:
        qs = qs.filter(state__in=want.states)
    if want.category:
        qs = qs.filter(Q(category__code=want.category) | Q(category__parent__code=want.category))
    if want.source:
        qs = qs.filter(source=want.source)
    if want.area is not None:
        qs = qs.filter(area_path__startswith=want.area.path)
    if want.sla:
        qs = qs.filter(sla=want.sla)
    followed = EventFollower.objects.filter(user=user).values("event_id")
    if want.mine is True:
        qs = qs.filter(pk__in=followed)
    elif want.mine is False:
        qs = qs.exclude(pk__in=followed)
    if want.handler_me:
        qs = qs.filter(pk__in=selectors.handler_inbox(user).values("pk"))
    return list(qs.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("gather, cap", [(5000, 1000), (3, 1000), (3, 4), (0, 2), (9, 4)])
def test_mine_alone_pages_as_driven_page_did(actors, monkeypatch, gather, cap):
    """``mine=true`` alone is read from the two follow streams (``union_keyset_page``):
    the rows, cursors and counts ``driven_page`` gave over the same sets, by cursor and
    by offset, whatever the knobs."""
    monkeypatch.setattr(lists, "GATHER_MAX", gather)
    monkeypatch.setattr(lists, "COUNT_CAP", cap)
    user = actors.resident
    mine = [report(user) for _ in range(5)]
    for _ in range(3):
        EventFollowerFactory(
            event=report(actors.resident2, point=IN_MICRO2), user=user, kind="me_too"
        )
    # Reported in their name but not followed (a row only a factory makes): not theirs.
    EventFactory(area=mine[0].area, category=category(), reporter=user, created_at=NOW)
    want = selectors.EventFilter(mine=True)
    expected = _naive(user, want)
    assert len(expected) == 8

    def driven(**kw):
        scope = permissions.scope(user, "view")
        return lists.driven_page(
            selectors.with_sla(Event.objects.all(), NOW),
            sets=[permissions.followed(user), scope],
            order=selectors.EVENT_ORDER,
            field_name="after",
            **kw,
        )

    for limit in (1, 3, 8, 10):
        got, after = [], None
        while True:
            page = selectors.event_page(user, want, limit=limit, after=after, now=NOW)
            before = driven(limit=limit, after=after)
            assert [e.pk for e in page.items] == [e.pk for e in before.items]
            assert (page.count, page.next_cursor, page.prev_cursor) == (
                before.count, before.next_cursor, before.prev_cursor,
            )  # fmt: skip
            assert all(hasattr(e, "sla") for e in page.items)
            got += [e.pk for e in page.items]
            after = page.next_cursor
            if after is None:
                break
        assert got == expected
        for offset in range(0, 9, limit):
            page = selectors.event_page(user, want, limit=limit, offset=offset, now=NOW)
            before = driven(limit=limit, offset=offset)
            assert [e.pk for e in page.items] == expected[offset : offset + limit]
            assert (page.count, page.next_cursor) == (before.count, before.next_cursor)


@pytest.mark.django_db
@pytest.mark.parametrize("gather", [5000, 1, 0])
def test_an_area_met_with_a_departments_scope_reads_its_summoned_events_once(
    actors, territory, monkeypatch, gather
):
    """Department staff's events in an area: the arms of their scope that read ids from a
    subquery (followed, summoned) read once into their ids (``settled``); the same
    rows and counts as the scope read as it is."""
    monkeypatch.setattr(lists, "GATHER_MAX", gather)
    made = [report(actors.resident, code="0301") for _ in range(3)]
    made.append(report(actors.resident2, point=IN_COMMUNITY2, code="0301"))
    for event in made:  # escalated and whistled: zj leads, cg summoned
        act(actors.community if event is not made[-1] else actors.community2, event, "register")
    for event in made[:2]:
        act(actors.community, event, "escalate", reason="网格解决不了")
        act(actors.community, event, "whistle", reason="施工扰民",
            data={"departments": ["zj", "cg"], "report_in_minutes": "30"})  # fmt: skip
    act(actors.community, made[2], "dispatch", data={"target": "department", "department": "cg"})
    EventFollowerFactory(event=made[1], user=actors.dept_cg, kind="me_too")
    for user in (actors.dept_cg, actors.dept_zj, actors.resident, actors.community):
        for area in (territory["community"], territory["micro1"], territory["community2"]):
            want = selectors.EventFilter(area=area)
            expected = _naive(user, want)
            got, after = [], None
            while True:
                page = selectors.event_page(user, want, limit=1, after=after, now=NOW)
                assert page.count.value == len(expected), (user, area)
                got += [e.pk for e in page.items]
                after = page.next_cursor
                if after is None:
                    break
            assert got == expected, (user.username, area.code)
    scope = permissions.scope(actors.dept_cg, "view")
    narrowed = lists.within(scope, lists.subtree_q("area_path", territory["community"].path))
    if gather >= 3:  # the followed and summoned events in the community: read into ids
        assert "among" not in str(lists.settled(Event, narrowed)).lower()
    ids = set(Event.objects.filter(lists.settled(Event, narrowed)).values_list("pk", flat=True))
    assert ids == set(Event.objects.filter(narrowed).values_list("pk", flat=True))
    assert {made[0].pk, made[1].pk, made[2].pk} <= ids
