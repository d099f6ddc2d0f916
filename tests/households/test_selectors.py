"""Reading the household base: pages in a fixed number of queries, search, counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shezhi.households import selectors, services
from shezhi.households.models import Household
from tests.factories import HouseholdFactory, ResidentFactory
from tests.households.conftest import add_resident

pytestmark = pytest.mark.django_db


def page_queries(client, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/households/")
    assert resp.status_code == 200 and resp.content.decode().count("data-household=") == rows
    return len(ctx.captured_queries)


def test_the_list_page_costs_the_same_at_3_rows_and_at_30(client, cast, place):
    from tests.factories import PASSWORD

    client.login(username=cast.street.username, password=PASSWORD)
    page_queries(client, 3)  # warm the per-process caches
    few = page_queries(client, 3)
    for i in range(40):
        h = HouseholdFactory(building=place.b2, unit="1", room=f"{i + 3:02d}01"[-4:])
        ResidentFactory(household=h, tags=",lives_alone,")
    assert page_queries(client, 30) == few


def test_rows_name_the_head_count_residents_and_gather_tags(cast, place):
    add_resident(cast.mg_worker, place.h101, "王阿姨", seq=1, relation="spouse", tags=["veteran"])
    add_resident(
        cast.mg_worker,
        place.h101,
        "张大爷",
        seq=2,
        relation="head",
        tags=["lives_alone", "veteran"],
    )
    rows = selectors.household_rows([place.h101, place.h102])
    assert rows[0].head.name == "张大爷" and rows[0].residents == 2
    assert rows[0].tags == ["lives_alone", "veteran"]
    assert rows[1].head is None and rows[1].residents == 0


def test_households_come_in_reading_order(cast, place):
    for room in ("1002", "302", "1201"):
        services.create_household(actor=cast.community, building=place.b2, unit="1", room=room)
    page = selectors.page_of(
        selectors.households(cast.community, building=place.b2),
        selectors.HOUSEHOLD_ORDER,
        limit=10,
    )
    assert [h.room for h in page.items] == ["201", "302", "1002", "1201"]


def test_search_by_room_unit_or_name(cast, place):
    add_resident(cast.mg_worker, place.h102, "欧阳娜娜", seq=3)

    def found(q):
        return set(selectors.households(cast.community, q=q).values_list("room", flat=True))

    assert found("102") == {"102"}
    assert found("1-10") == {"101", "102"}
    assert found("欧阳") == {"102"}
    assert found("nobody") == set()


def test_counts_by_child_and_for_the_area(cast, territory, place):
    add_resident(
        cast.mg_worker,
        place.h101,
        "甲",
        seq=1,
        tags=["needs_emergency_help"],
        sensitive_tags=["chronic_illness"],
    )
    add_resident(cast.mg_worker2, place.h201, "乙", seq=2, tags=["needs_emergency_help"])
    per_child = selectors.counts_by_child(territory["grid"])
    micro1, micro2 = territory["micro1"].path, territory["micro2"].path
    assert per_child[micro1]["households"] == 2 and per_child[micro1]["residents"] == 1
    assert per_child[micro2]["tags"] == {"needs_emergency_help": 1}
    assert per_child[micro1]["tags"] == {"needs_emergency_help": 1, "chronic_illness": 1}
    figures = selectors.area_counts(cast.community, territory["community"])
    assert figures.households == 3 and figures.residents == 2
    assert figures.by_tag["needs_emergency_help"] == 2
    assert figures.sensitive["chronic_illness"] == 1
    assert selectors.area_counts(cast.grid_worker, territory["grid"]).sensitive is None
    assert Household.objects.count() == 3
