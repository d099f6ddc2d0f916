"""The demo's household base (at a small scale here): compounds in every community,
buildings located, residents valid and counted, made through the import's path, idempotent."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction
from django.test.utils import override_settings

from shezhi.areas import locating
from shezhi.areas.models import Area
from shezhi.demo.areas import build_demo_areas
from shezhi.demo.households import COMMUNITY_CODE, build_demo_households
from shezhi.demo.users import ensure_demo_users
from shezhi.households import selectors, services
from shezhi.households.identity import id_facts
from shezhi.households.models import Building, Compound, Household, Resident, TagCount

pytestmark = pytest.mark.slow

# A fiftieth of the district: ~3,500 households, ~10,000 residents.
SCALE = 0.02


def test_nothing_without_the_demo_district(db):
    assert build_demo_households() is None
    assert not Resident.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district, its sign-ins and its households, once; rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        build_demo_areas()
        ensure_demo_users()
        locating.current_index()  # the demo command has it built by now
        started = time.perf_counter()
        made = build_demo_households(scale=SCALE)
        seconds = time.perf_counter() - started
        yield {"made": made, "seconds": seconds}
        transaction.set_rollback(True)


def test_compounds_in_every_community(demo, db):
    made = demo["made"]
    communities = Area.objects.filter(
        level="community", path__startswith=Area.objects.get(code="510113").path
    )
    assert set(Compound.objects.values_list("community", flat=True)) == set(
        communities.values_list("pk", flat=True)
    )
    assert made["buildings"] >= made["compounds"] >= communities.count()
    assert Household.objects.count() == made["households"] > 0
    assert Resident.objects.count() == made["residents"] > 2 * made["households"]
    assert build_demo_households(scale=SCALE) is None  # idempotent


def test_every_building_stands_in_a_micro_grid_of_its_community(demo, db):
    for building in Building.objects.select_related("micro_grid", "compound__community")[:300]:
        assert building.micro_grid.level == "micro_grid"
        assert building.area_path.startswith(building.compound.community.path)
        (_point, chain) = locating.locate(building.lng, building.lat)
        assert chain[0].id == building.micro_grid_id
    community = Area.objects.get(code=COMMUNITY_CODE)
    assert Household.objects.filter(area_path__startswith=community.path).exists()


def test_residents_are_plausible_and_valid(demo, db):
    residents = list(Resident.objects.all())
    heads = Counter(r.household_id for r in residents if r.relation == "head")
    assert set(heads.values()) == {1}
    numbers = [r.id_number for r in residents]
    assert len(set(numbers)) == len(numbers)
    for r in residents[:200]:
        facts = id_facts(r.id_number)
        assert (facts.birth_date.isoformat(), facts.sex) == (r.birth_date, r.sex)
    tagged = Counter(t for r in residents for t in r.tag_list)
    assert tagged["lives_alone"] and tagged["very_old"] and tagged["needs_emergency_help"]
    assert sum(1 for r in residents if r.sensitive_tags) > 0


def test_the_counts_match_a_recount_and_the_demo_worker_has_households(demo, db):
    before = set(TagCount.objects.values_list("micro_grid_id", "tag", "count"))
    services.recount(set(Building.objects.values_list("micro_grid_id", flat=True)))
    assert set(TagCount.objects.values_list("micro_grid_id", "tag", "count")) == before
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.get(username="mg_worker")
    assert selectors.visible_households(worker).count() >= 12
    resident = get_user_model().objects.get(username="resident")
    assert Resident.objects.filter(user=resident).count() == 1


def test_the_tables_keep_their_indexes_after_the_bulk_load(demo, db):
    from django.db import IntegrityError, connection

    from shezhi.demo.bulk import indexes_deferred

    def indexes(model):
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        return {name for name, c in found.items() if c["index"] and not c["primary_key"]}

    # The demo's load dropped and built them again: all there, the unique ones unique.
    assert {"unique_resident_id_number", "one_head_per_household"} <= indexes(Resident)
    before = {m: indexes(m) for m in (Household, Resident)}
    with transaction.atomic(), indexes_deferred(Household, Resident):
        assert not indexes(Resident) and not indexes(Household)
    assert {m: indexes(m) for m in (Household, Resident)} == before
    # A clash the dropped unique index let in is refused when it is built again.
    first, second = Resident.objects.exclude(id_number_index="").order_by("pk")[:2]
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_deferred(Resident):
        Resident.objects.filter(pk__in=[first.pk, second.pk]).update(id_number_index="x")
    assert "unique_resident_id_number" in indexes(Resident)
