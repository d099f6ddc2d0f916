"""Children under 14 (PIPL art. 28/31: sensitive personal information): their names in
full only for the readers of sensitive data, and left out of others' exports."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from shezhi.households.identity import is_child
from shezhi.households.transfer import export_residents
from tests.factories import PASSWORD
from tests.households.conftest import add_resident, valid_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("year", "date", "child"),
    [
        (2013, "2013-01-01", True),  # 13
        (2012, "2012-06-02", True),  # turns 14 tomorrow
        (2012, "2012-06-01", False),  # 14 today
        (2012, "", True),  # the year a child turns 14, no readable date: a child
        (2011, "2011-12-31", False),
        (None, "", False),  # nothing says so
    ],
)
def test_under_14_from_the_birth_date(year, date, child):
    assert is_child(year, date, TODAY.date()) is child


def test_the_birth_date_is_read_only_in_the_year_a_child_turns_14():
    def unread():
        raise AssertionError("read")

    assert is_child(2015, unread, TODAY.date())
    assert not is_child(1990, unread, TODAY.date())


def born(actor, household, name: str, birth: str, seq: int, **fields):
    """A resident born on ``birth`` (YYYYMMDD), as their ID number says, without a phone."""
    number = valid_id_number(birth=birth, seq=f"{seq:03d}")
    return add_resident(actor, household, name, id_number=number, phone="", **fields)


@pytest.fixture
def family(cast, place):
    with time_machine.travel(TODAY, tick=False):
        head = add_resident(cast.community, place.h101, "张大爷", seq=11, relation="head")
        child = born(cast.community, place.h101, "张小明", "20150301", 21, relation="grandchild")
        yield {"head": head, "child": child}


def page(client, user, url) -> str:
    client.login(username=user.username, password=PASSWORD)
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def test_pages_name_a_child_in_full_only_for_readers_of_sensitive_data(client, cast, place, family):
    child = family["child"]
    # The micro-grid's worker and the staff read sensitive data: the name in full.
    for user in (cast.mg_worker, cast.community):
        assert "张小明" in page(client, user, f"/households/{place.h101.pk}/")
        assert "张小明" in page(client, user, f"/households/residents/{child.pk}/")
    # A full-time grid worker over the whole grid lists the household, not the child's name.
    text = page(client, cast.grid_worker, f"/households/{place.h101.pk}/")
    assert "张大爷" in text and "张小明" not in text and "张**" in text
    text = page(client, cast.grid_worker, f"/households/residents/{child.pk}/")
    assert "张小明" not in text and "张**" in text


def test_the_api_names_a_child_in_full_only_for_readers_of_sensitive_data(
    client, cast, place, family
):
    child = family["child"]
    client.login(username=cast.grid_worker.username, password=PASSWORD)
    names = [
        r["name"] for r in client.get(f"/api/v1/households/{place.h101.pk}").json()["residents"]
    ]
    assert names == ["张大爷", "张**"]
    assert client.get(f"/api/v1/households/residents/{child.pk}").json()["name"] == "张**"
    client.login(username=cast.mg_worker.username, password=PASSWORD)
    assert client.get(f"/api/v1/households/residents/{child.pk}").json()["name"] == "张小明"


def rows_of(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_exports_leave_children_out_for_those_without_the_sensitive_right(
    cast, territory, place, family
):
    with time_machine.travel(TODAY, tick=False):
        # One who turns 14 later this year (a child still) and one who turned 14 (not).
        turning = born(cast.community, place.h102, "李小红", "20121201", 22)
        turned = born(cast.community, place.h102, "王少年", "20120101", 23)
        staff = rows_of(export_residents(user=cast.community, area=territory["community"]))
        grid = rows_of(export_residents(user=cast.grid_worker, area=territory["community"]))
    assert len(staff) == 5  # header and four residents
    assert len(grid) == 3  # header, the grandfather and the 14-year-old
    codes = {row[0] for row in grid}
    assert f"R{turned.pk}" in codes and f"R{family['head'].pk}" in codes
    assert not {f"R{family['child'].pk}", f"R{turning.pk}"} & codes
    assert {f"R{family['child'].pk}", f"R{turning.pk}"} <= {row[0] for row in staff}


def test_the_visit_form_names_a_child_as_the_household_page_does(client, cast, place, family):
    assert "张小明" in page(client, cast.mg_worker, f"/visits/new/{place.h101.pk}/")
    text = page(client, cast.grid_worker, f"/visits/new/{place.h101.pk}/")
    assert "张大爷" in text and "张小明" not in text and "张**" in text


def household_hits(client, user, q: str) -> dict[str, list[int]]:
    """The households a search finds for ``user``: in the worker's list, the API's list,
    and the residents the API's resident search finds."""
    client.login(username=user.username, password=PASSWORD)
    page_text = client.get("/households/", {"q": q}).content.decode()
    api = client.get("/api/v1/households", {"q": q}).json()["items"]
    residents = client.get("/api/v1/households/residents", {"q": q}).json()["items"]
    return {"page": page_text, "api": [h["id"] for h in api], "residents": residents}


def test_a_childs_exact_name_finds_the_household_only_for_readers_of_sensitive_data(
    client, cast, place, family
):
    h101 = place.h101.pk
    with time_machine.travel(TODAY, tick=False):
        # The micro-grid's worker and the staff read children's names: found.
        for user in (cast.mg_worker, cast.community):
            found = household_hits(client, user, "张小明")
            assert f'data-household="{h101}"' in found["page"]
            assert found["api"] == [h101]
            assert [r["id"] for r in found["residents"]] == [family["child"].pk]
        # The full-time grid worker sees the household but not the child's name: a search
        # by it finds nothing anywhere (no hit, no masked row, no count).
        found = household_hits(client, cast.grid_worker, "张小明")
        assert f'data-household="{h101}"' not in found["page"]
        assert found["api"] == [] and found["residents"] == []
        assert household_hits(client, cast.grid_worker, "小明")["api"] == []
        # The same search still finds the adults of that household by their own names.
        assert household_hits(client, cast.grid_worker, "张大爷")["api"] == [h101]


def test_in_the_year_a_child_turns_14_the_birth_date_decides_the_search(
    client, cast, place, family
):
    with time_machine.travel(TODAY, tick=False):
        born(cast.community, place.h102, "李小红", "20121201", 22)  # 14 in December
        born(cast.community, place.h201, "王少年", "20120101", 23)  # 14 since January
        grid = {q: household_hits(client, cast.grid_worker, q)["api"] for q in ("李小红", "王少年")}
        staff = {q: household_hits(client, cast.community, q)["api"] for q in ("李小红", "王少年")}
    assert grid == {"李小红": [], "王少年": [place.h201.pk]}
    assert staff == {"李小红": [place.h102.pk], "王少年": [place.h201.pk]}
