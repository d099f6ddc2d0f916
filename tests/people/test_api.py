"""The workforce API: scoped lists, masked personal data, audited reveals, assignments."""

from __future__ import annotations

import pytest

from shezhi.core.models import PersonalDataView
from tests.areas.test_api import bearer

pytestmark = pytest.mark.django_db


def test_people_list_is_masked_and_scoped(client, person, staff, users):
    headers = bearer(client, "community_staff")
    data = client.get("/api/v1/people?area=510113001001", **headers).json()
    assert data["count"] == 1
    row = data["items"][0]
    assert row["name"] == "张伟"
    assert row["phone"] == "*******5678"
    assert row["id_number"].startswith("**************") and len(row["id_number"]) == 18
    assert (
        "13812345678" not in client.get(f"/api/v1/people/{person.pk}", **headers).content.decode()
    )

    other = bearer(client, "other_community")
    assert client.get("/api/v1/people?area=510113001001", **other).status_code == 404
    assert client.get(f"/api/v1/people/{person.pk}", **other).status_code == 404
    assert client.get(f"/api/v1/people/{person.pk + 999}", **headers).status_code == 404
    far = bearer(client, "other_district")
    assert client.get(f"/api/v1/people/{person.pk}", **far).status_code == 404


def test_people_filters(client, person, staff):
    headers = bearer(client, "community_staff")
    get = lambda qs: client.get(f"/api/v1/people?area=510113001001&{qs}", **headers).json()  # noqa: E731
    assert get("party_member=true")["count"] == 1
    assert get("party_member=false")["count"] == 0
    assert get("force_type=full_time")["count"] == 0
    assert get("q=张")["count"] == 1
    assert client.get("/api/v1/people", **headers).status_code == 422  # area is required


def test_reveal_is_audited_and_refused_without_reason(client, person, staff):
    headers = bearer(client, "community_staff")
    url = f"/api/v1/people/{person.pk}/reveal"
    bad = client.post(
        url, {"field": "phone", "reason": ""}, content_type="application/json", **headers
    )
    assert bad.status_code == 400
    assert PersonalDataView.objects.count() == 0
    ok = client.post(
        url,
        {"field": "phone", "reason": "核实联系方式"},
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 200 and ok.json()["value"] == "13812345678"
    assert PersonalDataView.objects.get().reason == "核实联系方式"
    # a worker who may see the person may still not unmask them
    worker = bearer(client, "mg_worker")
    assert client.get(f"/api/v1/people/{person.pk}", **worker).status_code == 200
    refused = client.post(
        url, {"field": "phone", "reason": "想知道"}, content_type="application/json", **worker
    )
    assert refused.status_code == 404
    assert PersonalDataView.objects.count() == 1


def test_assignments_through_the_api(client, person, staff):
    headers = bearer(client, "community_staff")
    made = client.post(
        "/api/v1/assignments",
        {"person_id": person.pk, "area": "510113001001001001", "role": "responsible_worker"},
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201, made.content
    again = client.post(
        "/api/v1/assignments",
        {"person_id": person.pk, "area": "510113001001001001", "role": "responsible_worker"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 400
    assert "area" in again.json()["detail"]
    bad_role = client.post(
        "/api/v1/assignments",
        {"person_id": person.pk, "area": "510113001001001001", "role": "boss"},
        content_type="application/json",
        **headers,
    )
    assert bad_role.status_code == 400
    team = client.get("/api/v1/areas/510113001001001001/team", **headers).json()
    assert [(t["person_name"], t["role"]) for t in team] == [("张伟", "responsible_worker")]
    ended = client.post(
        f"/api/v1/assignments/{made.json()['id']}/end",
        {"reason": "调离"},
        content_type="application/json",
        **headers,
    )
    assert ended.status_code == 200 and ended.json()["ended_on"]
    assert client.get("/api/v1/areas/510113001001001001/team", **headers).json() == []
    other = bearer(client, "other_community")
    assert (
        client.post(
            f"/api/v1/assignments/{made.json()['id']}/end",
            {},
            content_type="application/json",
            **other,
        ).status_code
        == 404
    )


def test_counts_candidates_and_departments(client, person, staff, territory):
    headers = bearer(client, "community_staff")
    counts = client.get("/api/v1/areas/510113001001/workforce", **headers).json()
    assert counts["total"] == 1
    assert counts["category"]["micro_grid_worker"] == 1
    assert counts["force_type"]["part_time"] == 1
    cands = client.get("/api/v1/areas/510113001001001001/candidates", **headers).json()
    assert cands[0]["rank"] == 1 and cands[0]["person"]["name"] == "张伟"
    assert client.get("/api/v1/areas/510113002/workforce", **headers).status_code == 404
    assert client.get("/api/v1/departments", **headers).json() == []
