"""The shared list primitive: subtree ranges, capped counts, keyset cursors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shezhi.areas.models import Area
from shezhi.core.errors import BadInput
from shezhi.core.lists import (
    PATH_ALPHABET,
    CappedPaginator,
    Count,
    among,
    capped_count,
    capped_counts,
    cursor_page,
    decode_cursor,
    driven_page,
    encode_cursor,
    keyset_page,
    page_of,
    subtree_q,
    successor,
    unindexed,
)
from shezhi.events.models import Event
from shezhi.notifications.models import Notification
from tests.factories import AreaFactory, EventFactory

# ---------------------------------------------------------------------------
# successor / subtree_q


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("0001", "0002"), ("0009", "000A"), ("000Z", "001"), ("0001ZZ", "0002"), ("ZZZZ", None)],
)
def test_successor_steps_the_last_character_up(prefix, expected):
    assert successor(prefix) == expected


def test_successor_refuses_a_character_outside_the_alphabet():
    with pytest.raises(ValueError, match="alphabet"):
        successor("001a")


paths = st.text(alphabet=PATH_ALPHABET, min_size=1, max_size=12)


@given(prefix=paths, other=paths)
def test_successor_bounds_exactly_the_strings_with_the_prefix(prefix, other):
    upper = successor(prefix)
    inside = prefix <= other and (upper is None or other < upper)
    assert inside == other.startswith(prefix)


@pytest.mark.django_db
def test_subtree_q_selects_the_same_rows_as_startswith():
    district = AreaFactory()
    street = AreaFactory(parent=district)
    community = AreaFactory(parent=street)
    AreaFactory(parent=community)
    AreaFactory(parent=district)  # a second street, outside the first's subtree
    for area in Area.objects.all():
        in_range = Area.objects.filter(subtree_q("path", area.path))
        by_range = set(in_range.values_list("pk", flat=True))
        by_like = set(Area.objects.filter(path__startswith=area.path).values_list("pk", flat=True))
        assert by_range == by_like


@pytest.mark.django_db
def test_subtree_q_is_an_index_range_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the plan's wording is SQLite's")
    district = AreaFactory()
    qs = Event.objects.filter(subtree_q("area_path", district.path)).values("pk")
    plan = qs.explain()
    assert "SEARCH" in plan and "(area_path>? AND area_path<?)" in plan, plan


def test_subtree_q_of_no_path_is_no_filter():
    assert not subtree_q("path", "")


# ---------------------------------------------------------------------------
# capped_count


@pytest.mark.django_db
def test_capped_count_is_exact_under_the_cap_and_says_more_above_it():
    area = AreaFactory()
    EventFactory.create_batch(5, area=area)
    assert capped_count(Event.objects.all(), cap=10) == Count(5)
    assert capped_count(Event.objects.all(), cap=5) == Count(5)
    capped = capped_count(Event.objects.all(), cap=3)
    assert capped == Count(3, capped=True)
    assert str(capped) == "3+" and int(capped) == 3
    assert str(Count(1234)) == "1,234"


@pytest.mark.django_db
def test_capped_count_reads_at_most_cap_plus_one_rows():
    area = AreaFactory()
    EventFactory.create_batch(4, area=area)
    with CaptureQueriesContext(connection) as queries:
        capped_count(Event.objects.order_by("-created_at"), cap=2)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "LIMIT 3" in sql and "ORDER BY" not in sql


@pytest.mark.django_db
def test_capped_counts_count_several_lists_in_one_statement():
    area = AreaFactory()
    events = EventFactory.create_batch(5, area=area)
    lists = {
        "all": Event.objects.order_by("-created_at"),
        "two": Event.objects.filter(pk__in=[e.pk for e in events[:2]]),
        "none": Event.objects.none(),
        "empty_in": Event.objects.filter(pk__in=[]),
        "nothing": Event.objects.filter(description="no such"),
    }
    with CaptureQueriesContext(connection) as queries:
        counts = capped_counts(lists, cap=3)
    assert len(queries.captured_queries) == 1
    assert counts == {
        "all": Count(3, capped=True),
        "two": Count(2),
        "none": Count(0),
        "empty_in": Count(0),
        "nothing": Count(0),
    }
    assert counts == {k: capped_count(qs, cap=3) for k, qs in lists.items()}
    assert capped_counts({}) == {}


# ---------------------------------------------------------------------------
# cursors


def test_a_cursor_round_trips_its_values():
    at = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    token = encode_cursor([at, 42, "abc", dt.date(2026, 1, 2)])
    assert "=" not in token
    assert decode_cursor(token, 4) == [at, 42, "abc", dt.date(2026, 1, 2)]


@pytest.mark.parametrize("token", ["", "not base64!", encode_cursor([1]), "W3siZSI6MX1d", "bnVsbA"])
def test_a_foreign_cursor_is_a_400_naming_the_field(token):
    with pytest.raises(BadInput) as refused:
        decode_cursor(token, 2, field_name="after")
    assert refused.value.field == "after"


@pytest.mark.django_db
def test_keyset_pages_walk_the_whole_list_both_ways_without_gaps_or_repeats():
    area = AreaFactory()
    base = timezone.now()
    # Ties on created_at: the id breaks them.
    for i in range(23):
        EventFactory(area=area, created_at=base - dt.timedelta(minutes=i // 3))
    order = ["-created_at", "-id"]
    expected = list(Event.objects.order_by(*order).values_list("pk", flat=True))

    seen, after, pages = [], None, []
    while True:
        page = keyset_page(Event.objects.all(), order=order, limit=5, after=after)
        pages.append(page)
        seen += [e.pk for e in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 3]
    assert pages[0].prev_cursor is None

    # Back from the last page: the same pages, in reverse.
    back, before = [], pages[-1].prev_cursor
    while before:
        page = keyset_page(Event.objects.all(), order=order, limit=5, before=before)
        back.insert(0, [e.pk for e in page.items])
        before = page.prev_cursor
    assert back == [[e.pk for e in p.items] for p in pages[:-1]]


@pytest.mark.django_db
def test_keyset_page_ascending_order():
    area = AreaFactory()
    EventFactory.create_batch(7, area=area)
    order = ["created_at", "id"]
    first = keyset_page(Event.objects.all(), order=order, limit=4)
    second = keyset_page(Event.objects.all(), order=order, limit=4, after=first.next_cursor)
    ids = [e.pk for e in first.items + second.items]
    assert ids == list(Event.objects.order_by(*order).values_list("pk", flat=True))
    assert second.next_cursor is None


def test_keyset_page_refuses_both_directions_at_once():
    with pytest.raises(BadInput) as refused:
        keyset_page(Event.objects.none(), order=["-id"], limit=5, after="x", before="y")
    assert refused.value.field == "cursor"


# ---------------------------------------------------------------------------
# page_of: numbered pages over a capped count, cursors past it


def _ids(page) -> list[int]:
    return [n.pk for n in page.object_list]


def _follow(query: str) -> QueryDict:
    return QueryDict(query)


@pytest.mark.django_db
def test_page_of_walks_numbers_then_cursors_over_the_same_rows_in_the_same_order():
    from tests.factories import NotificationFactory, UserFactory

    user = UserFactory()
    base = timezone.now()
    for i in range(17):  # ties on created_at: the id breaks them
        NotificationFactory(user=user, created_at=base - dt.timedelta(minutes=i // 2))
    qs = Notification.objects.filter(user=user)
    order = ("-created_at", "-id")
    expected = list(qs.order_by(*order).values_list("pk", flat=True))

    params = QueryDict("show=all")
    first = page_of(qs, params, order=order, per_page=3, cap=5)  # the cap rounds up to 6
    assert first.number == 1 and first.paginator.count == 6 and first.paginator.capped
    assert first.paginator.num_pages == 2 and first.next_query == "show=all&page=2"
    second = page_of(qs, _follow(first.next_query), order=order, per_page=3, cap=5)
    assert second.number == 2 and second.has_next() and "after=" in second.next_query
    assert second.previous_query == "show=all&page=1"

    seen, pages, page = _ids(first) + _ids(second), [first, second], second
    while page.has_next():
        page = page_of(qs, _follow(page.next_query), order=order, per_page=3, cap=5)
        assert page.number is None and "show=all" in page.next_query + page.previous_query
        pages.append(page)
        seen += _ids(page)
    assert seen == expected
    # And back: "newer" from the last page gives the pages before it, each the same.
    back = pages[-1]
    for earlier in reversed(pages[:-1]):
        back = page_of(qs, _follow(back.previous_query), order=order, per_page=3, cap=5)
        assert _ids(back) == _ids(earlier)
        if not back.has_previous():
            break


@pytest.mark.django_db
def test_page_of_without_a_cap_counts_exactly_and_a_foreign_cursor_shows_the_first_page():
    from tests.factories import NotificationFactory, UserFactory

    user = UserFactory()
    NotificationFactory.create_batch(7, user=user)
    qs = Notification.objects.filter(user=user)
    order = ("-created_at", "-id")
    exact = page_of(qs, QueryDict("page=3"), order=order, per_page=3, cap=None)
    assert exact.paginator.count == 7 and not exact.paginator.capped and exact.number == 3
    assert not exact.has_next() and exact.next_query == ""
    for query in ("after=not-ours", "before=bnVsbA", "page=x", "page=99&after="):
        page = page_of(qs, QueryDict(query), order=order, per_page=3)
        assert page.number in (1, 3)
    assert page_of(qs, QueryDict("after=not-ours"), order=order, per_page=3).number == 1


@pytest.mark.django_db
def test_cursor_page_goes_on_by_cursor_alone_and_counts_without_a_query_when_whole():
    from tests.factories import NotificationFactory, UserFactory

    user = UserFactory()
    base = timezone.now()
    for i in range(8):
        NotificationFactory(user=user, created_at=base - dt.timedelta(minutes=i // 2))
    qs = Notification.objects.filter(user=user)
    order = ("-created_at", "-id")
    expected = list(qs.order_by(*order).values_list("pk", flat=True))
    first = cursor_page(qs, QueryDict("tab=a"), order=order, per_page=3, cap=6)
    assert first.number is None and not first.has_previous() and first.previous_query == ""
    assert first.paginator.counted == Count(6, capped=True)
    seen, page = _ids(first), first
    while page.has_next():
        assert "offset" not in page.next_query and "page=" not in page.next_query
        page = cursor_page(qs, QueryDict(page.next_query), order=order, per_page=3)
        assert page.first_query == "tab=a" and page.has_previous()
        seen += _ids(page)
    assert seen == expected
    back = cursor_page(qs, QueryDict(page.previous_query), order=order, per_page=3)
    assert _ids(back) == expected[3:6]
    # Not ours, or nothing left after it: the first page.
    last = encode_cursor([base - dt.timedelta(days=1), 0])
    for query in ("after=not-ours", f"after={last}"):
        assert _ids(cursor_page(qs, QueryDict(query), order=order, per_page=3)) == expected[:3]
    few = Notification.objects.filter(pk__in=expected[:2])
    with CaptureQueriesContext(connection) as queries:
        whole = cursor_page(few, QueryDict(""), order=order, per_page=3)
        assert whole.paginator.counted == Count(2) and not whole.has_other_pages()
    assert len(queries.captured_queries) == 1


@pytest.mark.django_db
def test_capped_paginator_counts_at_most_the_cap_plus_one():
    from tests.factories import NotificationFactory, UserFactory

    user = UserFactory()
    NotificationFactory.create_batch(9, user=user)
    qs = Notification.objects.filter(user=user).order_by("-id")
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedPaginator(qs, 2, cap=4)
        assert paginator.count == 4 and paginator.capped and paginator.num_pages == 2
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "LIMIT 5" in sql


# driven_page: the same rows and count whichever index drives


@pytest.fixture
def spread(db):
    """Events in two streets, several states and sources, with ties on created_at."""
    district = AreaFactory()
    streets = [AreaFactory(parent=district), AreaFactory(parent=district)]
    base = timezone.now()
    states = ["closed", "closed", "dispatched", "reported", "closed"]
    sources = ["resident", "hotline", "patrol"]
    for i in range(41):
        EventFactory(
            area=streets[i % 3 == 0],
            state=states[i % len(states)],
            source=sources[i % len(sources)],
            created_at=base - dt.timedelta(minutes=i // 4),
        )
    return district, streets


# (GATHER_MAX, WALK_WINDOW, LARGE_SET): gathered; walked in a window; a window too
# short, then gathered from the smallest set; a window too short, then walked on.
STRATEGIES = [(5000, 2000, 50_000), (0, 1000, 0), (0, 3, 1000), (0, 3, 0)]


def _walk_pages(fetch, limit):
    """Every row over the pages, by cursor and by offset."""
    by_cursor, after = [], None
    while True:
        page = fetch(after=after, offset=0, limit=limit)
        by_cursor += [e.pk for e in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    by_offset, offset = [], 0
    while True:
        page = fetch(after=None, offset=offset, limit=limit)
        by_offset += [e.pk for e in page.items]
        if page.next_cursor is None:
            break
        offset += limit
    return by_cursor, by_offset, page.count


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "shape",
    [
        "street",
        "street+closed",
        "street+source",
        "street+two states",
        "district+rare",
        "street or dispatched",
        "closed alone",
        "none",
    ],
)
def test_driven_page_reads_the_same_rows_and_count_whichever_index_drives(
    spread, monkeypatch, strategy, shape
):
    from shezhi.core import lists

    district, streets = spread
    for name, value in zip(("GATHER_MAX", "WALK_WINDOW", "LARGE_SET"), strategy, strict=True):
        monkeypatch.setattr(lists, name, value)
    street = subtree_q("area_path", streets[0].path)
    sets, walk, rest = {
        "street": ([street], Q(), Q()),
        "street+closed": ([Q(state="closed"), street], Q(state="closed"), Q()),
        "street+source": ([street], Q(), Q(source="hotline")),
        "street+two states": ([Q(state__in=["closed", "reported"]), street], Q(), Q()),
        "district+rare": (
            [subtree_q("area_path", district.path)],
            Q(),
            Q(source="patrol", state="dispatched"),
        ),
        # A set that is an OR (a scope's shape): sized arm by arm.
        "street or dispatched": ([street | Q(state="dispatched")], Q(), Q(source="hotline")),
        # Nothing checked on the walk's rows: the walk's page, however deep the offset.
        "closed alone": ([], Q(state="closed"), Q()),
        "none": ([], Q(), Q()),
    }[shape]
    order = ["-created_at", "-id"]
    everything = Q()
    for q in [*sets, walk, rest]:
        everything &= q
    expected = list(Event.objects.filter(everything).order_by(*order).values_list("pk", flat=True))

    def fetch(**kw):
        return lists.driven_page(
            Event.objects.all(), sets=sets, walk=walk, rest=rest, order=order, cap=5, **kw
        )

    for limit in (1, 4, 50):
        by_cursor, by_offset, count = _walk_pages(fetch, limit)
        assert by_cursor == expected and by_offset == expected, (limit, shape)
        if count.capped:
            assert count.value == 5 < len(expected)
        else:
            assert count.value == len(expected)


@pytest.mark.django_db
def test_an_or_set_is_sized_arm_by_arm_never_below_its_size(spread):
    """Each arm from its own index, the sizes added: at least the OR's own size, capped
    at reach + 1; one statement, without the OR (PostgreSQL visits the table for one)."""
    from shezhi.core.lists.driven import _size

    _district, streets = spread
    either = subtree_q("area_path", streets[0].path) | Q(state="dispatched")
    true = Event.objects.filter(either).count()
    arms = (
        Event.objects.filter(subtree_q("area_path", streets[0].path)).count()
        + Event.objects.filter(state="dispatched").count()
    )
    with CaptureQueriesContext(connection) as queries:
        assert _size(Event.objects, either, 1000) == arms >= true
    assert len(queries.captured_queries) == 1  # the arms' counts in one statement
    assert not any(" OR " in q["sql"] for q in queries.captured_queries)
    assert _size(Event.objects, either, 3) == 4  # more than the reach: reach + 1
    assert _size(Event.objects, Q(state="reported"), 1000) == (
        Event.objects.filter(state="reported").count()
    )


@pytest.mark.django_db
def test_within_narrows_a_scope_arm_by_arm_to_the_same_rows(spread):
    from shezhi.core.lists import within

    district, streets = spread
    street = subtree_q("area_path", streets[0].path)
    whole = subtree_q("area_path", district.path)
    other = subtree_q("area_path", streets[1].path)
    scopes = [
        street | Q(state="dispatched") | Q(source="patrol"),
        whole | Q(state="dispatched"),
        other | street,
        whole,
        Q(state="dispatched"),
        street & Q(state="closed"),
        ~(Q(state="dispatched") | Q(source="patrol")),
    ]
    for scope in scopes:
        for narrowing in (street, whole, other, Q(source="hotline")):
            narrowed = within(scope, narrowing)
            expected = set(Event.objects.filter(scope & narrowing).values_list("pk", flat=True))
            assert set(Event.objects.filter(narrowed).values_list("pk", flat=True)) == expected
    arms = within(street | Q(state="dispatched"), Q(source="hotline"))
    assert arms.connector == Q.OR and len(arms.children) == 2
    assert within(street, Q()) == street
    # Subtrees meet in the deeper one, or nowhere: one range, never two on the column.
    assert within(whole | Q(state="dispatched"), street) == street | (
        Q(state="dispatched") & street
    )
    assert within(whole, street) == street and within(street, whole) == street
    assert within(other | Q(state="dispatched"), street) == Q(state="dispatched") & street
    assert within(other, street) == Q(pk__in=[])


def test_driven_page_refuses_a_foreign_cursor():
    with pytest.raises(BadInput) as refused:
        driven_page(Event.objects.none(), sets=[], order=["-id"], limit=5, after="nope")
    assert refused.value.field == "after"


@pytest.mark.django_db
def test_unindexed_reads_the_same_rows_and_keeps_sqlite_off_the_index():
    area = AreaFactory()
    EventFactory.create_batch(3, area=area, state="closed")
    EventFactory(area=area, state="reported")
    q = subtree_q("area_path", area.path) & Q(state__in=["closed"]) & ~Q(source="api")
    assert set(Event.objects.filter(unindexed(q))) == set(Event.objects.filter(q))
    assert Event.objects.filter(unindexed(q)).count() == 3
    sql = str(Event.objects.filter(unindexed(q)).query)
    if connection.vendor == "sqlite":
        assert '+"events_event"."area_path" >=' in sql and '+"events_event"."state" IN' in sql
        plan = Event.objects.filter(unindexed(q)).order_by("-created_at").explain()
        # Walked in the order's (created_at, id) index, no path or state index.
        assert "area_path" not in plan and "event_created_path_idx" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    for odd in (Q(area_path__startswith="0001"), Q(category__code="01"), Q(state=None)):
        with pytest.raises(ValueError):
            unindexed(odd)


@pytest.mark.django_db
def test_among_selects_what_the_subquery_names():
    area = AreaFactory()
    a, b, _c = EventFactory.create_batch(3, area=area)
    wanted = Event.objects.filter(pk__in=[a.pk, b.pk]).values("pk")
    assert set(Event.objects.filter(among("pk", wanted))) == {a, b}
    either = among("pk", wanted) | Q(pk=_c.pk)
    assert Event.objects.filter(either).count() == 3
    sql = str(Event.objects.filter(among("pk", wanted)).query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert "IN (SELECT" in sql


@pytest.mark.django_db
def test_one_state_newest_first_walks_the_queue_index_on_sqlite(spread):
    """The walk of one state newest first (``driven_page``'s ``walk=Q(state=…)``) reads
    the (state, created_at, owner_path) index in order: no sort of the state's rows
    (0009 dropped the (state, created_at, id) index that repeated it)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans from statistics; bench/work_pages.py shows its plan")
    walked = Event.objects.filter(state="closed").filter(unindexed(subtree_q("area_path", "0001")))
    plan = walked.order_by("-created_at", "-id").values_list("created_at", "id")[:51].explain()
    assert "event_queue_state_created_idx" in plan, plan
    # Ties of one moment are put in id order within the moment, never the state's rows.
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
