"""The household base under /api/v1/households: scope both ways, masks, bad input."""

from __future__ import annotations

import pytest

from shezhi.core.models import PersonalDataView
from shezhi.households.models import Building, Compound, Household, Resident
from tests.factories import PASSWORD
from tests.households.conftest import add_resident, valid_id_number

pytestmark = pytest.mark.django_db

API = "/api/v1/households"


@pytest.fixture
def people(cast, place):
    head = add_resident(
        cast.community,
        place.h101,
        "张大爷",
        seq=11,
        relation="head",
        tags=["lives_alone", "very_old"],
        sensitive_tags=["disability"],
    )
    other = add_resident(cast.community, place.h201, "李娜", seq=12, tags=["party_member"])
    return {"head": head, "other": other}


def as_user(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def test_a_micro_grid_worker_lists_the_households_of_their_micro_grid(client, cast, place, people):
    c = as_user(client, cast.mg_worker)
    body = c.get(API).json()
    assert [h["id"] for h in body["items"]] == [place.h101.pk, place.h102.pk]
    assert body["count"] == 2 and body["count_capped"] is False
    assert body["items"][0]["address"].startswith("凤凰家园")
    residents = c.get(f"{API}/residents").json()["items"]
    assert [r["name"] for r in residents] == ["张**"]  # masked in lists
    assert residents[0]["phone"] == "*******0011" and residents[0]["tags"] == [
        "lives_alone",
        "very_old",
    ]
    assert "disability" not in str(residents)
    # Outside their micro-grid: 404, like an id that does not exist.
    assert c.get(f"{API}/{place.h201.pk}").status_code == 404
    assert c.get(f"{API}/residents/{people['other'].pk}").status_code == 404
    assert c.get(f"{API}?area=510113001001001002").status_code == 404


def test_staff_list_their_subtree_with_keyset_pages(client, cast, place, people):
    c = as_user(client, cast.street)
    first = c.get(f"{API}?limit=2").json()
    assert first["count"] == 3 and first["next_cursor"] and first["prev_cursor"] is None
    second = c.get(f"{API}?limit=2&after={first['next_cursor']}").json()
    assert [h["id"] for h in second["items"]] == [place.h201.pk]
    assert second["next_cursor"] is None and second["prev_cursor"]
    back = c.get(f"{API}?limit=2&before={second['prev_cursor']}").json()
    assert [h["id"] for h in back["items"]] == [h["id"] for h in first["items"]]
    bad = c.get(f"{API}?after=nonsense")
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"
    assert [h["id"] for h in c.get(f"{API}?tag=lives_alone").json()["items"]] == [place.h101.pk]
    assert [h["id"] for h in c.get(f"{API}?q=李").json()["items"]] == [place.h201.pk]
    assert [h["id"] for h in c.get(f"{API}?q=1-102").json()["items"]] == [place.h102.pk]
    assert [h["id"] for h in c.get(f"{API}?kind=rented").json()["items"]] == [place.h102.pk]
    assert c.get(f"{API}?tag=disability").status_code == 422  # not a filter: sensitive


def test_household_detail_names_its_residents_in_full(client, cast, place, people):
    c = as_user(client, cast.mg_worker)
    body = c.get(f"{API}/{place.h101.pk}").json()
    assert body["kind"] == "owner_occupied" and body["micro_grid"]["code"] == "510113001001001001"
    assert [(r["name"], r["relation"]) for r in body["residents"]] == [("张大爷", "head")]
    assert body["residents"][0]["id_number"].endswith(people["head"].id_number_last4)
    detail = c.get(f"{API}/residents/{people['head'].pk}").json()
    assert detail["name"] == "张大爷" and detail["birth_year"] == 1950 and detail["sex"] == "male"
    assert "13800000011" not in str(detail) and "1950-03-12" not in str(detail)


def test_read_only_roles_get_counts_and_no_rows(client, cast, place, people):
    for user in (cast.dept_cg,):
        c = as_user(client, user)
        assert c.get(API).json()["items"] == []
        assert c.get(f"{API}?area=510113").status_code == 404
        assert c.get(f"{API}/{place.h101.pk}").status_code == 404
        assert c.get(f"{API}/compounds/{place.compound.pk}").status_code == 404
        counts = c.get(f"{API}/counts?area=510113").json()
        assert counts["households"] == 3 and counts["residents"] == 2
        assert counts["by_tag"]["lives_alone"] == 1 and counts["by_tag"]["party_member"] == 1
        assert counts["by_kind"]["rented"] == 1
        assert counts["sensitive"] is None  # not even as figures
    c = as_user(client, cast.community)
    assert c.get(f"{API}/counts?area=510113001001").json()["sensitive"]["disability"] == 1
    assert c.get(f"{API}/counts?area=510114").status_code == 404
    c = as_user(client, cast.resident)
    assert c.get(f"{API}/counts?area=510113001001001001").status_code == 404


def test_reveal_is_audited_and_limited(client, cast, place, people):
    head = people["head"]
    c = as_user(client, cast.mg_worker)
    resp = post(c, f"{API}/residents/{head.pk}/reveal", {"field": "phone", "reason": "上门走访"})
    assert resp.json() == {"field": "phone", "value": "13800000011", "tags": None}
    resp = post(
        c, f"{API}/residents/{head.pk}/reveal", {"field": "id_number", "reason": "核实身份"}
    )
    assert resp.status_code == 403
    resp = post(
        c, f"{API}/residents/{head.pk}/reveal", {"field": "sensitive_tags", "reason": "应急准备"}
    )
    assert resp.json()["tags"] == [{"code": "disability", "label": "残疾"}]
    resp = post(c, f"{API}/residents/{head.pk}/reveal", {"field": "phone", "reason": "看"})
    assert resp.status_code == 400 and resp.json()["field"] == "reason"
    assert PersonalDataView.objects.count() == 2
    c = as_user(client, cast.mg_worker2)
    resp = post(c, f"{API}/residents/{head.pk}/reveal", {"field": "phone", "reason": "上门走访"})
    assert resp.status_code == 404


def test_create_and_update_through_the_api(client, cast, place):
    c = as_user(client, cast.community)
    resp = post(c, f"{API}/compounds", {"community": "510113001001", "name": "香岛"})
    assert resp.status_code == 201, resp.content
    compound = resp.json()["id"]
    resp = post(
        c,
        f"{API}/buildings",
        {
            "compound": compound,
            "number": "8",
            "lng": 104.07,
            "lat": 30.64,
            "floors": 11,
            "units": 2,
        },
    )
    assert resp.status_code == 201 and resp.json()["micro_grid"]["code"].endswith("002")
    building = resp.json()["id"]
    resp = post(c, API, {"building": building, "unit": "2", "room": "1101", "kind": "rented"})
    assert resp.status_code == 201, resp.content
    household = resp.json()["id"]
    resp = post(
        c,
        f"{API}/residents",
        {
            "household": household,
            "name": "王芳",
            "relation": "head",
            "id_number": valid_id_number(seq="124"),
            "tags": ["veteran"],
            "sensitive_tags": ["pregnant"],
        },
    )
    assert resp.status_code == 201, resp.content
    resident = resp.json()
    assert resident["sex"] == "female" and resident["name"] == "王芳"
    resp = patch(
        c,
        f"{API}/residents/{resident['id']}",
        {"residence": "floating", "arrived_on": "2024-02-01"},
    )
    assert resp.status_code == 200 and resp.json()["residence"] == "floating"
    resp = client.put(
        f"{API}/residents/{resident['id']}/tags",
        {"tags": ["party_member"]},
        content_type="application/json",
    )
    assert resp.json()["tags"] == ["party_member"]
    resp = post(
        c,
        f"{API}/residents/{resident['id']}/move",
        {"to_household": place.h102.pk, "reason": "换房"},
    )
    assert resp.status_code == 200 and resp.json()["to_household_id"] == place.h102.pk
    detail = c.get(f"{API}/residents/{resident['id']}").json()
    assert detail["household_id"] == place.h102.pk and detail["moves"][0]["reason"] == "换房"
    found = post(c, f"{API}/residents/lookup", {"id_number": valid_id_number(seq="124").lower()})
    assert found.json()["id"] == resident["id"]
    assert post(c, f"{API}/residents/lookup", {"id_number": "x"}).status_code == 404
    resp = patch(c, f"{API}/{household}", {"kind": "vacant"})
    assert resp.json()["kind"] == "vacant"
    resp = patch(c, f"{API}/compounds/{compound}", {"property_manager_phone": "13912345678"})
    assert resp.json()["property_manager_phone"] == "*******5678"
    resp = patch(c, f"{API}/buildings/{building}", {"floors": 12})
    assert resp.json()["floors"] == 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id_number": valid_id_number()[:-1] + "0"}, "id_number"),  # the check character
        ({"birth_date": "1985-03-13"}, "birth_date"),  # the ID says 1985-03-12
        ({"sex": "female"}, "sex"),
        ({"relation": "head"}, "relation"),  # 张大爷 is the head already
        ({"id_number": valid_id_number(birth="19500312", seq="011")}, "id_number"),  # his
        ({"tags": ["disability"]}, "tags.0"),  # 422: not a plain tag
        ({"phone": "110"}, "phone"),
        ({"birth_date": "1850-01-01", "id_number": ""}, "birth_date"),
        ({"person": 999999}, "person"),
        ({"user": "nobody_here"}, "user"),
        ({"name": "x" * 51}, "name"),
    ],
)
def test_bad_resident_input_names_the_field_with_nothing_written(
    client, cast, place, people, body, field
):
    c = as_user(client, cast.mg_worker)
    before = Resident.objects.count()
    payload = {"household": place.h101.pk, "name": "王芳", "id_number": valid_id_number(), **body}
    resp = post(c, f"{API}/residents", payload)
    assert resp.status_code in (400, 422), resp.content
    assert resp.json()["field"] == field, resp.json()
    assert Resident.objects.count() == before


def test_bad_place_input_names_the_field_with_nothing_written(client, cast, place):
    c = as_user(client, cast.community)
    counts = (Compound.objects.count(), Building.objects.count(), Household.objects.count())
    resp = post(
        c,
        f"{API}/buildings",
        {"compound": place.compound.pk, "number": "9", "lng": 104.15, "lat": 30.62},
    )
    assert resp.status_code == 400 and resp.json()["field"] == "location"  # another community
    resp = post(c, f"{API}/compounds", {"community": "510113001001001001", "name": "x"})
    assert resp.status_code == 400 and resp.json()["field"] == "community"
    resp = post(c, f"{API}/compounds", {"community": "510113001002", "name": "x"})
    assert resp.status_code == 404  # community2: not theirs
    resp = post(c, API, {"building": place.b1.pk, "unit": "1", "room": "101"})
    assert resp.status_code == 400 and resp.json()["field"] == "room"
    resp = patch(c, f"{API}/compounds/{place.compound.pk}", {"name": None})
    assert resp.status_code == 400 and resp.json()["field"] == "name"
    resp = patch(c, f"{API}/buildings/{place.b1.pk}", {"lng": 104.15})
    assert resp.status_code == 400 and resp.json()["field"] == "location"
    assert (Compound.objects.count(), Building.objects.count(), Household.objects.count()) == counts
    assert Building.objects.get(pk=place.b1.pk).micro_grid_id == place.b1.micro_grid_id


def test_a_sensitive_tag_set_by_a_grid_worker_is_refused(client, cast, place, people):
    c = as_user(client, cast.grid_worker)
    resp = client.put(
        f"{API}/residents/{people['head'].pk}/tags",
        {"sensitive_tags": []},
        content_type="application/json",
    )
    assert resp.status_code == 403 and resp.json()["field"] is None
    resp = c.get(f"{API}/residents/{people['head'].pk}")
    assert resp.status_code == 200  # the grid worker still reads the (plain) row
