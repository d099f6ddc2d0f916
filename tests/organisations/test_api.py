"""/api/v1/organisations: scoped reads, writes by the area's staff, 400s naming the field."""

from __future__ import annotations

import pytest

from shezhi.organisations.models import Organisation
from tests.factories import PASSWORD, ServicePostFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/organisations"


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_staff_register_and_read_their_registry(client, world, make_org):
    c = login(client, world["staff"])
    r = post(
        c,
        API,
        {"kind": "interest_club", "name": "凤凰合唱团", "area": world["t"]["community"].code},
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    make_org(area=world["t"]["community2"], actor=world["street"], name="同心村志愿队")
    items = c.get(API).json()["items"]
    assert [i["name"] for i in items] == ["凤凰合唱团"]  # not 同心村's: outside the community
    assert c.get(f"{API}?area={world['t']['community2'].code}").status_code == 404
    assert c.get(f"{API}?stage=sprout").json()["count"] == 1
    detail = c.get(f"{API}/{pk}").json()
    assert detail["stage"] == "sprout" and detail["moves"][0]["to_stage"] == "sprout"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "club", "name": "x"}, "kind"),
        ({"kind": "other", "name": ""}, "name"),
        ({"kind": "other", "name": "x", "founded_on": "2026-02-30"}, "founded_on"),
        ({"kind": "other", "name": "x", "stage": "old"}, "stage"),
    ],
)
def test_bad_input_names_the_field(client, world, body, field):
    c = login(client, world["staff"])
    r = post(c, API, {"area": world["t"]["community"].code, **body})
    assert r.status_code in (400, 422), r.content
    assert field in r.content.decode()
    assert not Organisation.objects.exists()


def test_members_stage_support_through_the_api(client, world, make_org):
    org = make_org()
    c = login(client, world["staff"])
    r = post(c, f"{API}/{org.pk}/members", {"resident": world["resident"].pk, "role": "leader"})
    assert r.status_code == 201 and r.json()["name"] == "张**", r.content
    r = post(c, f"{API}/{org.pk}/members", {"resident": world["far_resident"].pk})
    assert r.status_code == 400 and r.json()["field"] == "resident"
    r = post(c, f"{API}/{org.pk}/members", {"person": 10**9})
    assert r.status_code == 400 and r.json()["field"] == "person"
    r = post(c, f"{API}/{org.pk}/stage", {"stage": "growing"})
    assert r.status_code == 400 and r.json()["field"] == "stage"
    r = post(c, f"{API}/{org.pk}/stage", {"stage": "incubating"})
    assert r.status_code == 200 and r.json()["stage"] == "incubating"
    r = post(c, f"{API}/{org.pk}/supports", {"kind": "money", "amount_fen": 500000})
    assert r.status_code == 201 and r.json()["amount_fen"] == 500000
    r = post(c, f"{API}/{org.pk}/supports", {"kind": "money", "amount_fen": 1.5})
    assert r.status_code in (400, 422) and "amount_fen" in r.content.decode()
    post_ = ServicePostFactory(area=world["t"]["micro1"])
    r = post(c, f"{API}/{org.pk}/supports", {"kind": "space", "post": post_.pk})
    assert r.status_code == 201
    member = org.members.get()
    r = post(c, f"{API}/{org.pk}/members/{member.pk}/leave", {})
    assert r.status_code == 200 and r.json()["members"][0]["left_on"]
    public = client.get(f"{API}/{org.pk}/public").json()
    assert public["members"] == 0 and public["leader"] == ""


def test_outside_scope_is_a_404(client, world, make_org):
    org = make_org()
    c = login(client, world["other_street"])
    assert c.get(f"{API}/{org.pk}").status_code == 404
    assert post(c, f"{API}/{org.pk}/stage", {"stage": "incubating"}).status_code == 404
    assert c.get(f"{API}/funnel?area={world['t']['community'].code}").status_code == 404
    ok = c.get(f"{API}/funnel?area={world['t']['street2'].code}")
    assert ok.status_code == 200 and ok.json()["total"] == 0
    # The public face is anyone's.
    client.logout()
    assert client.get(f"{API}/{org.pk}/public").status_code == 200
    assert client.get(f"{API}/{10**9}/public").status_code == 404


def test_the_funnel_and_forces_in_stats(client, world, make_org):
    from django.utils import timezone

    make_org(founded_on=timezone.localdate())
    c = login(client, world["street"])
    f = c.get(f"{API}/funnel?area={world['t']['street1'].code}").json()
    assert f["stages"]["sprout"] == 1 and f["registered"] == 1
    assert [ch["area"]["code"] for ch in f["children"]] == [
        world["t"]["community"].code, world["t"]["community2"].code,
    ]  # fmt: skip
    assert (
        c.get(
            f"{API}/funnel?area={world['t']['street1'].code}&from=2026-05-01&to=2026-01-01"
        ).status_code
        == 400
    )
    forces = c.get(f"/api/v1/stats/forces?area={world['t']['street1'].code}")
    assert forces.status_code == 200, forces.content
    assert forces.json()["forces"]["full_time"] == 1
    names = [d["name"] for d in c.get("/api/v1/stats/definitions").json()]
    assert "forces" in names
