"""Who took part (``core.participation``): recorded once per source, counted once per
participant however many ways, scoped to a subtree and a period, anonymous traces kept apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.core.errors import BadInput
from shezhi.core.models import Participation
from shezhi.core.participation import (
    Way,
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


def test_a_cached_count_turns_over_on_every_write_beneath_it_and_only_there(
    territory, django_assert_num_queries
):
    """Counts are cached; a write (record, record_many, withdraw, merge) under an area
    turns its counts over, one elsewhere leaves them be."""
    from shezhi.core.participation import count_by_way, count_participants

    district, street1, street2 = territory["district"], territory["street1"], territory["street2"]
    a = make_user("a", role="resident", area=territory["micro1"])
    b = make_user("b", role="resident", area=territory["street2"])
    row = record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a, source=a)
    assert _year(district) == 1 and _year(street1) == 1
    assert _year(district, ways=[Way.DEMAND]) == 1
    with django_assert_num_queries(0):  # served from the cache
        assert _year(district) == 1 and _year(street1) == 1
        assert _year(district, ways=[Way.DEMAND]) == 1
    assert participants_by_way(district, YEAR_START, YEAR_END)[Way.DEMAND] == 1

    record_participation(way=Way.ACTIVITY, area=street2, at=AT, user=b)
    with django_assert_num_queries(0):  # street 1's count knows nothing of street 2
        assert _year(street1) == 1
    assert _year(district) == 2 and _year(street2) == 1
    assert participants_by_way(district, YEAR_START, YEAR_END)[Way.ACTIVITY] == 1

    record_many([{"way": Way.PROJECT, "area": territory["community"], "at": AT, "user": b}])
    assert _year(street1) == 2 and _year(district) == 2
    assert participants_by_way(district, YEAR_START, YEAR_END)[Way.PROJECT] == 1

    withdraw(way=Way.DEMAND, source=a)
    assert Participation.objects.filter(pk=row.pk).count() == 0
    assert _year(street1) == 1 and _year(district, ways=[Way.DEMAND]) == 0
    assert participants_by_way(district, YEAR_START, YEAR_END)[Way.DEMAND] == 0

    record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    assert _year(district) == 2
    merge_participant(old=participant_key(user=a), new=participant_key(user=b))
    assert _year(district) == 1
    # The cached answers are the counts themselves.
    assert _year(district) == count_participants(district, YEAR_START, YEAR_END)
    assert participants_by_way(district, YEAR_START, YEAR_END) == count_by_way(
        district, YEAR_START, YEAR_END
    )


def test_a_row_deleted_in_the_admin_turns_the_counts_over(territory):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    a = make_user("a", role="resident", area=territory["micro1"])
    row = record_participation(way=Way.DEMAND, area=territory["micro1"], at=AT, user=a)
    assert _year(territory["district"]) == 1
    site._registry[Participation].delete_queryset(
        RequestFactory().post("/"), Participation.objects.filter(pk=row.pk)
    )
    assert _year(territory["district"]) == 0
