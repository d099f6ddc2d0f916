"""The registry's pages: staff forms, the public and community pages, the funnel."""

from __future__ import annotations

import pytest

from shezhi.core.personal_data import blind_index
from shezhi.organisations import services
from shezhi.organisations.models import Organisation
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
ID_NUMBER = "510113199001011234"


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_staff_register_through_the_form(client, world):
    c = login(client, world["staff"])
    community = world["t"]["community"].code
    assert c.get("/organisations/").status_code == 200
    assert c.get("/organisations/new/").status_code == 200
    r = c.post(
        "/organisations/new/",
        {"kind": "owners_committee", "name": "凤凰家园业委会", "area": community},
    )
    org = Organisation.objects.get()
    assert r.status_code == 302 and r.url == f"/organisations/{org.pk}/"
    page = c.get(r.url)
    assert "凤凰家园业委会" in page.content.decode()
    # The same name again: the field says why, nothing written.
    r = c.post(
        "/organisations/new/",
        {"kind": "owners_committee", "name": "凤凰家园业委会", "area": community},
    )
    assert r.status_code == 400 and "已登记同名" in r.content.decode()
    # An area outside the staff's: not among the choices.
    other = world["t"]["community2"].code
    r = c.post("/organisations/new/", {"kind": "other", "name": "x", "area": other})
    assert r.status_code == 400 and Organisation.objects.count() == 1


def test_the_organisation_page_forms(client, world, make_org):
    org = make_org()
    resident = world["resident"]
    resident.id_number_index = blind_index("id_number", ID_NUMBER)
    resident.save()
    c = login(client, world["staff"])
    url = f"/organisations/{org.pk}/"
    r = c.post(url + "members/", {"id_number": ID_NUMBER, "role": "leader"})
    assert r.status_code == 302, r.content.decode()[:2000]
    page = c.get(url).content.decode()
    assert "张**" in page and "张三丰" not in page
    r = c.post(url + "members/", {"id_number": "510113199001019999", "role": "member"})
    assert r.status_code == 400 and "没有这个身份证号" in r.content.decode()
    r = c.post(url + "stage/", {"stage": "mature"})
    assert r.status_code == 400 and "不能跨阶段" in r.content.decode()
    assert c.post(url + "stage/", {"stage": "incubating"}).status_code == 302
    r = c.post(url + "support/", {"kind": "money", "amount_yuan": "1500.5"})
    assert r.status_code == 302
    assert org.supports.get().amount_fen == 150050
    r = c.post(url + "support/", {"kind": "money", "amount_yuan": "12.345"})
    assert r.status_code == 400 and org.supports.count() == 1
    member = org.members.get()
    assert c.post(url + f"members/{member.pk}/leave/").status_code == 302
    member.refresh_from_db()
    assert member.left_on is not None


def test_who_sees_the_registry(client, world, make_org):
    org = make_org()
    resident = make_user("r1", role="resident", area=world["t"]["micro1"])
    c = login(client, resident)
    assert c.get("/organisations/").status_code == 404
    assert c.get(f"/organisations/{org.pk}/").status_code == 404
    c = login(client, world["other_street"])
    assert c.get(f"/organisations/{org.pk}/").status_code == 404
    assert c.post(f"/organisations/{org.pk}/stage/", {"stage": "incubating"}).status_code == 404


def test_public_and_community_pages_show_counts_and_masked_leader(client, world, make_org):
    org = make_org(name="凤凰志愿队")
    staff = world["staff"]
    services.add_member(actor=staff, organisation=org, resident=world["resident"], role="leader")
    services.add_member(actor=staff, organisation=org, resident=world["resident2"])
    page = client.get(f"/organisations/o/{org.pk}/").content.decode()
    assert "张**" in page and "张三丰" not in page and "李四光" not in page and "李**" not in page
    page = client.get(f"/organisations/community/{world['t']['community'].code}/").content.decode()
    assert "凤凰志愿队" in page and "张**" in page and "张三丰" not in page
    assert client.get(f"/organisations/community/{world['t']['micro1'].code}/").status_code == 404
    assert client.get("/organisations/o/999999/").status_code == 404


def test_the_funnel_page(client, world, make_org):
    make_org()
    c = login(client, world["street"])
    r = c.get(f"/organisations/funnel/{world['t']['street1'].code}/")
    assert r.status_code == 200 and "凤凰社区" in r.content.decode()
    assert c.get(f"/organisations/funnel/{world['t']['street2'].code}/").status_code == 404
    street = world["t"]["street1"].code
    bad = c.get(f"/organisations/funnel/{street}/?from=2026-05-01&to=2026-01-01")
    assert bad.status_code == 400


def test_the_activity_and_demand_forms_link_once_and_refuse_the_rest(client, world, make_org):
    """The page's link forms: a choice on offer links and goes back to the page; the
    same again is refused beside its field (400, nothing more written), one the page
    did not offer (another community's) is refused by the form; outside scope a 404."""
    from tests.factories import DemandGroupFactory, VolunteerActivityFactory

    org = make_org()
    activity = VolunteerActivityFactory(post__area=world["t"]["micro1"])
    far = VolunteerActivityFactory(post__area=world["t"]["community2"])
    group = DemandGroupFactory(area=world["t"]["community"])
    far_group = DemandGroupFactory(area=world["t"]["community2"])
    c = login(client, world["staff"])
    url = f"/organisations/{org.pk}/"
    for tail, mine, theirs, linked in [
        ("activities/", activity, far, org.activities),
        ("demands/", group, far_group, org.demands),
    ]:
        r = c.post(url + tail, {"target": mine.pk})
        assert r.status_code == 302 and r["Location"] == url, tail
        for target in (mine, theirs):
            r = c.post(url + tail, {"target": target.pk})
            assert r.status_code == 400, (tail, target)
        assert linked.count() == 1
    login(client, world["other_street"])
    assert client.post(url + "activities/", {"target": activity.pk}).status_code == 404
