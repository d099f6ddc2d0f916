"""Who took part (``core.participation``): recorded once per source, counted once per
participant however many ways, scoped to a subtree and a period, anonymous traces kept apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shezhi.core.errors import BadInput
from shezhi.core.models import Participation, ParticipationDay
from shezhi.core.participation import (
    Way,
    delete_rows,
    merge_participant,
    participant_key,
    participants,
    participants_by_way,
    record_many,
    record_participation,
    withdraw,
)
from tests.factories import ResidentFactory, make_user

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR_END = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
AT = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def _year(area, ways=None):
    return participants(area, YEAR_START, YEAR_END, ways)


def test_one_person_taking_part_in_every_way_counts_once(territory):
    user = make_user("ann", role="resident", area=territory["micro1"])
    for way in Way.values:
        record_participation(way=way, area=territory["micro1"], at=AT, user=user)
    assert Participation.objects.count() == 5
    assert _year(territory["district"]) == 1
    assert participants_by_way(territory["district"], YEAR_START, YEAR_END) == dict.fromkeys(
        Way.values, 1
    )


def test_counts_are_a_subtree_and_a_period(territory):
    a = make_user("a", role="resident", area=territory["micro1"])
    b = make_user("b", role="resident", area=territory["street2"])
    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    record_participation(way=Way.DEMAND, area=territory["street2"], at=AT, user=b)
    # Last year's does not count this year.
    record_participation(way=Way.ACTIVITY, area=territory["micro1"], at=YEAR_START - DAY, user=b)
    assert _year(territory["district"]) == 2
    assert _year(territory["street1"]) == 1
    assert _year(territory["community"]) == 1
    assert _year(territory["street2"].path) == 1  # a path does as well as an area
    assert _year(territory["district"], ways=[Way.ACTIVITY]) == 0
    # The end is excluded, the start included.
    assert participants(territory["district"], AT, AT + DAY) == 2
    assert participants(territory["district"], AT - DAY, AT) == 0


def test_a_source_is_recorded_once_per_participant(territory, shared_cast):
    user = make_user("ann", role="resident", area=territory["micro1"])
    source = ResidentFactory()  # any row will do as the source
    first = record_participation(
        way=Way.PROJECT, area=territory["micro1"], at=AT, user=user, source=source
    )
    again = record_participation(
        way=Way.PROJECT, area=territory["micro1"], at=AT, user=user, source=source
    )
    assert first is not None and again is None
    assert Participation.objects.get().source_type == "households.resident"
    assert withdraw(way=Way.PROJECT, source=source) == 1
    assert _year(territory["district"]) == 0


def test_an_anonymous_participation_keeps_neither_its_source_nor_its_time(territory):
    user = make_user("ann", role="resident", area=territory["micro1"])
    source = ResidentFactory()
    row = record_participation(
        way=Way.DEMAND, area=territory["micro1"], at=AT, user=user, source=source, anonymous=True
    )
    row.refresh_from_db()
    assert row.source_type == "" and row.source_id is None
    local = timezone.localtime(row.at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == timezone.localtime(AT).date()
    assert _year(territory["district"]) == 1


def test_a_resident_is_one_participant_as_sign_in_person_and_resident(territory):
    user = make_user("ann", role="resident", area=territory["micro1"])
    resident = ResidentFactory(user=user)
    # The resolver households registers: the sign-in is the resident.
    assert participant_key(user=user) == f"r:{resident.pk}"
    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=user)
    record_participation(way=Way.ORGANISATION, area=territory["micro1"], at=AT, resident=resident)
    assert _year(territory["district"]) == 1


def test_binding_later_merges_what_the_sign_in_did(territory):
    user = make_user("ann", role="resident", area=territory["micro1"])
    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=user)
    resident = ResidentFactory()
    record_participation(way=Way.ORGANISATION, area=territory["micro1"], at=AT, resident=resident)
    assert _year(territory["district"]) == 2
    assert merge_participant(old=f"u:{user.pk}", new=f"r:{resident.pk}") == 1
    assert _year(territory["district"]) == 1
    assert merge_participant(old="u:1", new="u:1") == 0


def test_merging_drops_a_row_both_keys_have_for_one_source(territory):
    source = ResidentFactory()
    for key in ("u:7", "r:9"):
        record_many(
            [
                {
                    "way": Way.PROJECT,
                    "area": territory["micro1"],
                    "at": AT,
                    "participant": key,
                    "source": source,
                }
            ]
        )
    merge_participant(old="u:7", new="r:9")
    assert list(Participation.objects.values_list("participant", flat=True)) == ["r:9"]


def test_record_many_skips_what_is_already_recorded(territory):
    source = ResidentFactory()
    row = {"way": Way.PROJECT, "area": territory["micro1"], "at": AT, "participant": "r:1"}
    assert record_many([{**row, "source": source}, {**row, "participant": "r:2"}]) == 2
    record_many([{**row, "source": source}])
    assert Participation.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"way": "gossip"}, "way"),
        ({"area": None}, "area"),
        ({"user": None}, "participant"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(territory, kwargs, field):
    user = make_user("ann", role="resident", area=territory["micro1"])
    given = {"way": Way.DEMAND, "area": territory["micro1"], "at": AT, "user": user, **kwargs}
    with pytest.raises(BadInput) as caught:
        record_participation(**given)
    assert caught.value.field == field
    assert not Participation.objects.exists()


def test_a_count_refuses_a_backward_period_or_an_unknown_way(territory):
    with pytest.raises(BadInput) as caught:
        participants(territory["district"], YEAR_END, YEAR_START)
    assert caught.value.field == "end"
    with pytest.raises(BadInput) as caught:
        _year(territory["district"], ways=["gossip"])
    assert caught.value.field == "ways"


def test_the_path_step_is_the_area_trees(territory):
    from shezhi.areas.models import Area
    from shezhi.core import participation

    assert Area.steplen == participation.PATH_STEP


def test_the_first_read_after_a_write_reads_the_pre_aggregate_not_the_rows(territory):
    """Every write keeps the pre-aggregate in its own transaction: the count right after
    it is already right, and reads ``ParticipationDay`` alone (no scan of the rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.core.participation import count_by_way, count_participants

    district, street1, street2 = territory["district"], territory["street1"], territory["street2"]
    start, end = _local(2026, 1, 1), _local(2027, 1, 1)
    a = make_user("a", role="resident", area=territory["micro1"])
    b = make_user("b", role="resident", area=territory["street2"])

    def year(area, ways=None):
        with CaptureQueriesContext(connection) as seen:
            n = participants(area, start, end, ways)
            by_way = participants_by_way(area, start, end)
        sql = " ".join(q["sql"] for q in seen.captured_queries)
        assert "participationday" in sql and '"core_participation"' not in sql
        assert n == count_participants(area, start, end, ways)
        assert by_way == count_by_way(area, start, end)
        return n

    row = record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a, source=a)
    assert year(district) == 1 and year(street1) == 1 and year(district, [Way.DEMAND]) == 1
    record_participation(way=Way.ACTIVITY, area=street2, at=AT, user=b)
    assert year(street1) == 1 and year(district) == 2 and year(street2) == 1
    record_many([{"way": Way.PROJECT, "area": territory["community"], "at": AT, "user": b}])
    assert year(street1) == 2 and year(district) == 2
    withdraw(way=Way.DEMAND, source=a)
    assert Participation.objects.filter(pk=row.pk).count() == 0
    assert year(street1) == 1 and year(district, [Way.DEMAND]) == 0
    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    assert year(district) == 2
    merge_participant(old=participant_key(user=a), new=participant_key(user=b))
    assert year(district) == 1


def test_a_count_the_pre_aggregate_cannot_answer_is_counted_from_the_rows(territory):
    """Bounds off local midnights, several ways but not all: the same formula, from the rows."""
    a = make_user("a", role="resident", area=territory["micro1"])
    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    record_participation(way=Way.ACTIVITY, area=territory["micro1"], at=AT + DAY, user=a)
    district = territory["district"]
    assert participants(district, AT, AT + dt.timedelta(hours=1)) == 1
    assert participants(district, AT + dt.timedelta(hours=1), AT + DAY) == 0
    assert participants(district, YEAR_START, YEAR_END, [Way.DEMAND, Way.ACTIVITY]) == 1
    assert participants(district, YEAR_START, YEAR_END, [Way.PROJECT, Way.ACTIVITY]) == 1
    assert participants(district, YEAR_START, YEAR_END, []) == 0


def test_a_row_deleted_in_the_admin_leaves_the_counts_right(territory):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    a = make_user("a", role="resident", area=territory["micro1"])
    row = record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    other = record_participation(way=Way.ACTIVITY, area=territory["micro1"], at=AT, user=a)
    year = (_local(2026, 1, 1), _local(2027, 1, 1))
    assert participants(territory["district"], *year) == 1
    admin = site._registry[Participation]
    admin.delete_queryset(RequestFactory().post("/"), Participation.objects.filter(pk=row.pk))
    assert participants(territory["district"], *year) == 1
    assert participants(territory["district"], *year, [Way.DEMAND]) == 0
    admin.delete_model(RequestFactory().post("/"), other)
    assert participants(territory["district"], *year) == 0
    assert not ParticipationDay.objects.exists()


def test_the_backfill_builds_what_the_writes_keep(territory):
    """``rebuild`` (the migration's backfill) from the rows equals the kept pre-aggregate."""
    from shezhi.core.participation import rebuild

    a = make_user("a", role="resident", area=territory["micro1"])
    for n, way in enumerate(Way.values):
        record_participation(way=way, area=territory["micro1"], at=AT + n * 3 * DAY, user=a)
    record_participation(way=Way.DEMAND, area=territory["street2"], at=AT - DAY, user=a)
    kept = _aggregate()
    assert rebuild() == len(kept)
    assert _aggregate() == kept


# -- the pre-aggregate equals the definition under any sequence of writes ----------------

PATHS = ["0001", "00010001", "000100010001", "000100010002", "00010002", "000100020001"]
KEYS = ["r:1", "r:2", "r:3", "u:4", "p:5"]


class _Source:
    """Any row that can be a participation's source."""

    class _meta:
        label_lower = "tests.source"

    def __init__(self, pk):
        self.pk = pk


def _local(y, m, d, h=0):
    return timezone.make_aware(dt.datetime(y, m, d, h), timezone.get_default_timezone())


def _aggregate():
    return set(
        ParticipationDay.objects.values_list("participant", "prefix", "way", "day", "prev_day")
    )


record_op = st.tuples(
    st.just("record"),
    st.sampled_from(KEYS),
    st.sampled_from(Way.values),
    st.sampled_from(PATHS),
    st.integers(1, 20),  # day of March
    st.sampled_from([0, 7, 23]),  # local hour: the day's first and last
    st.one_of(st.none(), st.integers(1, 6)),  # source
    st.booleans(),  # anonymous
)
many_op = st.tuples(
    st.just("many"),
    st.lists(
        st.tuples(
            st.sampled_from(KEYS),
            st.sampled_from(Way.values),
            st.sampled_from(PATHS),
            st.integers(1, 20),
            st.one_of(st.none(), st.integers(1, 6)),
        ),
        max_size=6,
    ),
)
withdraw_op = st.tuples(st.just("withdraw"), st.sampled_from(Way.values), st.integers(1, 6))
merge_op = st.tuples(st.just("merge"), st.sampled_from(KEYS), st.sampled_from(KEYS))
delete_op = st.tuples(st.just("delete"), st.integers(0, 30))
write_ops = st.lists(
    st.one_of(record_op, record_op, many_op, withdraw_op, merge_op, delete_op), max_size=25
)
periods = [(1, 21), (1, 2), (5, 6), (3, 11), (10, 21), (20, 21), (12, 13)]


def _apply(op):
    kind = op[0]
    if kind == "record":
        _, key, way, path, day, hour, source, anonymous = op
        kind_of_key, pk = key.split(":")
        who = {"r": "resident", "p": "person", "u": "user"}[kind_of_key]
        record_participation(
            way=way,
            area=path,
            at=_local(2026, 3, day, hour),
            source=None if source is None else _Source(source),
            anonymous=anonymous,
            **{who: int(pk)},
        )
    elif kind == "many":
        record_many(
            {
                "way": way,
                "area": path,
                "at": _local(2026, 3, day, 12),
                "participant": key,
                "source": None if source is None else _Source(source),
            }
            for key, way, path, day, source in op[1]
        )
    elif kind == "withdraw":
        withdraw(way=op[1], source=_Source(op[2]))
    elif kind == "merge":
        merge_participant(old=op[1], new=op[2])
    else:
        pks = list(Participation.objects.order_by("pk").values_list("pk", flat=True))
        if pks:
            delete_rows(Participation.objects.filter(pk=pks[op[1] % len(pks)]))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=write_ops)
def test_the_pre_aggregate_counts_what_the_rows_count_under_any_writes(territory, sequence):
    from shezhi.core.participation import count_by_way, count_participants, day_rows, local_day

    Participation.objects.all().delete()
    ParticipationDay.objects.all().delete()
    for op in sequence:
        _apply(op)
    # The kept chains are the chains of the rows, exactly.
    rows = Participation.objects.values_list("participant", "way", "area_path", "at")
    assert _aggregate() == set(day_rows((k, w, a, local_day(at)) for k, w, a, at in rows))
    for path in PATHS:
        for first, stop in periods:
            start, end = _local(2026, 3, first), _local(2026, 3, stop)
            assert participants(path, start, end) == count_participants(path, start, end)
            assert participants_by_way(path, start, end) == count_by_way(path, start, end)
            for way in (Way.DEMAND, Way.PROJECT):
                assert participants(path, start, end, [way]) == count_participants(
                    path, start, end, [way]
                )
