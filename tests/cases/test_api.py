"""/api/v1/cases: the library and its search for anyone, signed in or not; staff write,
review, publish and take back in their scope; 404 outside it; bad input a 4xx naming
the field with nothing written."""

from __future__ import annotations

import pytest

from shezhi.cases.models import Case
from shezhi.demands import services as demand_services
from tests.factories import PASSWORD

from .conftest import publish, write

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


NEW = {
    "area": "",
    "title": "社区食堂：让老人吃上热乎饭",
    "summary": "老年助餐点升级为社区食堂。",
    "background": "独居老人做饭难。",
    "approach": "引入餐饮企业，按成本价供餐，志愿者送餐上门。",
    "results": "每天供应三百份午餐。",
    "tags": ["社区食堂", "老年助餐"],
}


def test_staff_write_review_publish_and_everyone_searches(client, territory, shared_cast):
    staff = _as(client, shared_cast.community)
    r = _post(staff, "/api/v1/cases", {**NEW, "area": territory["community"].code})
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "draft" and case["tags"] == ["社区食堂", "老年助餐"]
    assert _post(staff, f"/api/v1/cases/{case['id']}/review").status_code == 403
    drafts = staff.get("/api/v1/cases?status=draft").json()["items"]
    assert [c["id"] for c in drafts] == [case["id"]]

    reader = _as(client, shared_cast.resident)
    assert reader.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert reader.get("/api/v1/cases?status=draft").json()["items"] == []

    street = _as(client, shared_cast.street)
    assert _post(street, f"/api/v1/cases/{case['id']}/review").json()["status"] == "reviewed"
    published = _post(street, f"/api/v1/cases/{case['id']}/publish").json()
    assert published["status"] == "published" and published["published_at"]

    reader = _as(client, shared_cast.resident)
    assert reader.get(f"/api/v1/cases/{case['id']}").json()["approach"] == NEW["approach"]
    hits = reader.get("/api/v1/cases", {"q": "送餐"}).json()
    assert [c["id"] for c in hits["items"]] == [case["id"]] and "送餐" in hits["items"][0][
        "snippet"
    ]
    assert reader.get("/api/v1/cases", {"q": "老"}).json()["items"] == []
    assert reader.get("/api/v1/cases", {"tag": "社区食堂"}).json()["items"][0]["id"] == case["id"]
    assert reader.get("/api/v1/cases", {"tag": "食堂"}).json()["items"] == []

    staff = _as(client, shared_cast.community)
    r = staff.put(
        f"/api/v1/cases/{case['id']}", {"results": "每天供应五百份午餐，还开了早餐。"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert [c["id"] for c in staff.get("/api/v1/cases?q=早餐").json()["items"]] == [case["id"]]
    assert _post(staff, f"/api/v1/cases/{case['id']}/unpublish").json()["status"] == "draft"
    assert staff.get("/api/v1/cases?q=早餐").json()["items"] == []


def test_a_case_from_a_demand_group_starts_with_its_figures(client, territory, shared_cast):
    group = demand_services.submit_demand(
        actor=shared_cast.community, kind="parking", text="小区停车难，车位太少",
        source="staff", area=territory["micro1"], address="凤凰家园",
    ).demand.group  # fmt: skip
    staff = _as(client, shared_cast.community)
    body = {
        **NEW,
        "area": territory["community"].code,
        "source": {"kind": "demands.demandgroup", "id": group.pk},
    }
    r = _post(staff, "/api/v1/cases", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert [f["value"] for f in out["figures"]] == [1, 1]
    assert out["source"]["kind"] == "demands.demandgroup" and out["source"]["id"] == group.pk
    # Another community's staff cannot write from it.
    other = _as(client, shared_cast.community2)
    body["area"] = territory["community2"].code
    r = _post(other, "/api/v1/cases", body)
    assert r.status_code == 400 and r.json()["field"] == "source"


def test_outside_scope_is_404_and_bad_input_names_the_field(client, territory, shared_cast):
    case = write(shared_cast, territory)
    other = _as(client, shared_cast.community2)
    for method, url in [
        ("get", f"/api/v1/cases/{case.pk}"),
        ("post", f"/api/v1/cases/{case.pk}/review"),
        ("post", f"/api/v1/cases/{case.pk}/publish"),
        ("put", f"/api/v1/cases/{case.pk}"),
    ]:
        r = getattr(other, method)(url, {}, content_type="application/json")
        assert r.status_code == 404, (method, url)
    # A grid worker writes no cases: the write endpoints do not exist for them.
    worker = _as(client, shared_cast.grid_worker)
    r = _post(worker, "/api/v1/cases", {**NEW, "area": territory["grid"].code})
    assert r.status_code == 404

    staff = _as(client, shared_cast.community)
    for body, field in [
        ({**NEW, "area": territory["community2"].code}, "area"),
        ({**NEW, "area": "nope"}, "area"),
        ({**NEW, "area": territory["community"].code, "title": " "}, "title"),
        (
            {**NEW, "area": territory["community"].code, "source": {"kind": "x.y", "id": 1}},
            "source",
        ),
        ({**NEW, "area": territory["community"].code, "tags": ["x" * 21]}, "tags"),
    ]:
        r = _post(staff, "/api/v1/cases", body)
        assert r.status_code == 400 and r.json()["field"] == field, (body, r.content)
    r = _post(staff, "/api/v1/cases", {**NEW, "area": territory["community"].code, "title": 5})
    assert r.status_code == 422
    assert staff.get("/api/v1/cases", {"q": "x" * 101}).status_code == 422
    assert staff.get("/api/v1/cases", {"q": "电梯", "after": "junk"}).json()["field"] == "after"
    assert staff.get("/api/v1/cases", {"after": "junk"}).json()["field"] == "after"
    assert Case.objects.count() == 1
    # A published case is public: any signed-in reader anywhere reads it.
    publish(shared_cast, case)
    outsider = _as(client, shared_cast.outsider_resident)
    assert outsider.get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_pages_of_the_list_follow_the_cursor(client, territory, shared_cast):
    for i in range(5):
        publish(shared_cast, write(shared_cast, territory, title=f"垃圾分类第{i}站"))
    reader = _as(client, shared_cast.resident)
    for params in ({}, {"q": "垃圾分类"}):
        seen, after = [], None
        while True:
            page = reader.get(
                "/api/v1/cases", {**params, "limit": 2, **({"after": after} if after else {})}
            ).json()
            seen += [c["id"] for c in page["items"]]
            after = page["next_cursor"]
            if not after:
                break
        assert len(seen) == len(set(seen)) == 5, params


def test_an_edit_through_the_api_sets_figures_and_tags(client, territory, shared_cast):
    case = write(shared_cast, territory)
    staff = _as(client, shared_cast.community)
    body = {"figures": [{"label": "受益老人", "value": 23, "unit": "人"}], "tags": ["加装电梯"]}
    r = staff.put(f"/api/v1/cases/{case.pk}", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["figures"] == body["figures"] and r.json()["tags"] == ["加装电梯"]
    r = staff.put(
        f"/api/v1/cases/{case.pk}", {"refresh_figures": True}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "source"  # written from no record
    r = staff.put(f"/api/v1/cases/{case.pk}", {"area": "nope"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "area"
    case.refresh_from_db()
    assert case.tag_list == ["加装电梯"] and case.area == territory["community"]


def test_the_published_library_answers_without_sign_in_and_drafts_stay_staff_only(
    client, territory, shared_cast
):
    """The case library page is public, so is its API: the published cases' list, search
    and detail answer a signed-out visitor; a draft is a 404 to them and absent from
    every list, while its staff (by session or by token) still read it."""
    from shezhi.core.models import ApiToken

    draft = write(shared_cast, territory, title="楼栋议事会：草稿")
    shown = publish(shared_cast, write(shared_cast, territory))
    client.logout()
    r = client.get("/api/v1/cases")
    assert r.status_code == 200 and [c["id"] for c in r.json()["items"]] == [shown.pk]
    assert client.get(f"/api/v1/cases/{shown.pk}").json()["approach"].startswith("楼栋长")
    assert [c["id"] for c in client.get("/api/v1/cases", {"q": "电梯"}).json()["items"]] == [
        shown.pk
    ]
    assert client.get(f"/api/v1/cases/{draft.pk}").status_code == 404
    for status in ("draft", "all"):
        assert client.get("/api/v1/cases", {"status": status}).json()["items"] == []
    assert client.get("/api/v1/cases", {"after": "junk"}).json()["field"] == "after"
    # Writing still needs a sign-in.
    assert _post(client, "/api/v1/cases", NEW).status_code == 401

    _, raw = ApiToken.issue(user=shared_cast.community, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    drafts = client.get("/api/v1/cases", {"status": "draft"}, **auth).json()["items"]
    assert [c["id"] for c in drafts] == [draft.pk]
    assert client.get(f"/api/v1/cases/{draft.pk}", **auth).status_code == 200
    # Another community's staff: the draft is a 404, as to anyone outside its scope.
    other = _as(client, shared_cast.community2)
    assert other.get(f"/api/v1/cases/{draft.pk}").status_code == 404
