"""Photos through /api/v1/ (multipart): a proposal's photos, a cash payment's and an
expense's receipt, a milestone's photo. Limits as every app's photos (type, size,
count), a bad one a 400 naming the part with nothing written; 404 outside scope; the
photos served to those who may see them; the routes in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shezhi.projects.models import Expense, Milestone, Payment, ProjectPhoto
from tests.factories import PASSWORD
from tests.projects.conftest import photo

pytestmark = pytest.mark.django_db
API = "/api/v1/projects"


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def not_a_photo():
    return SimpleUploadedFile("x.jpg", b"plain text", content_type="image/jpeg")


def test_the_initiator_adds_proposal_photos_that_readers_see(client, world, cast):
    project = world.propose()
    c = _as(client, world.initiator)
    resp = c.post(f"{API}/{project.pk}/photos", {"photos": [photo("a.jpg"), photo("b.png")]})
    assert resp.status_code == 201, resp.content
    made = resp.json()
    assert len(made) == 2 and ProjectPhoto.objects.filter(project=project).count() == 2
    listed = _as(client, cast.resident2).get(f"{API}/{project.pk}/photos").json()
    assert [p["id"] for p in listed] == [p["id"] for p in made]
    image = client.get(made[0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_proposal_photos_are_limited_and_checked(client, world, settings):
    settings.SHEZHI_MAX_PHOTOS = 2
    project = world.propose()
    c = _as(client, world.initiator)
    resp = c.post(f"{API}/{project.pk}/photos", {"photos": [photo(), not_a_photo()]})
    assert resp.status_code == 400 and resp.json()["field"] == "photos"
    assert not ProjectPhoto.objects.exists()
    resp = c.post(f"{API}/{project.pk}/photos", {"photos": [photo(), photo(), photo()]})
    assert resp.status_code == 400 and resp.json()["field"] == "photos"
    resp = c.post(f"{API}/{project.pk}/photos", {})
    assert resp.status_code == 400 and resp.json()["field"] == "photos"
    assert not ProjectPhoto.objects.exists()


def test_proposal_photos_are_the_initiators_or_the_staffs(client, world, cast):
    project = world.propose()
    resp = _as(client, cast.resident2).post(f"{API}/{project.pk}/photos", {"photos": [photo()]})
    assert resp.status_code == 403
    for user in (cast.outsider_resident, cast.other_district):
        c = _as(client, user)
        assert c.post(f"{API}/{project.pk}/photos", {"photos": [photo()]}).status_code == 404
        assert c.get(f"{API}/{project.pk}/photos").status_code == 404
    assert (
        _as(client, world.staff)
        .post(f"{API}/{project.pk}/photos", {"photos": [photo()]})
        .status_code
        == 201
    )


def test_a_cash_payment_with_its_receipt(client, world, cast):
    project = world.funding()
    c = _as(client, world.staff)
    url = f"{API}/{project.pk}/payments/with-photos"
    body = {"payer_name": "李四", "amount": 500, "channel": "cash", "reference": "收据7"}
    resp = c.post(url, {**body})
    assert resp.status_code == 400 and resp.json()["field"] == "receipt"
    resp = c.post(url, {**body, "receipt": not_a_photo()})
    assert resp.status_code == 400 and resp.json()["field"] == "receipt"
    assert not Payment.objects.exists()
    resp = c.post(url, {**body, "receipt": photo()})
    assert resp.status_code == 201, resp.content
    pid = resp.json()["id"]
    assert resp.json()["payer"] == "李*"
    again = c.post(url, {**body, "receipt": photo()})
    assert again.status_code == 200 and again.json()["id"] == pid
    other = c.post(url, {**body, "amount": 600, "receipt": photo()})
    assert other.status_code == 422 and other.json()["field"] == "amount"
    assert Payment.objects.count() == 1
    receipt = f"{API}/{project.pk}/payments/{pid}/receipt"
    assert c.get(receipt).status_code == 200
    # The receipt bears the payer's name: not for every reader of the project.
    assert _as(client, cast.resident2).get(receipt).status_code == 404
    assert _as(client, cast.other_district).get(receipt).status_code == 404


def test_a_payment_with_no_amount_names_it(client, world):
    project = world.funding()
    resp = _as(client, world.staff).post(
        f"{API}/{project.pk}/payments/with-photos", {"payer_name": "李四", "channel": "bank"}
    )
    assert resp.status_code == 400 and resp.json()["field"] == "amount"


def _delivering(world):
    project = world.funding(target=10_000)
    world.pay(project, 6_667)
    project.refresh_from_db()
    assert project.stage == "delivery"
    return project


def test_an_expense_with_its_receipt_and_a_milestone_with_its_photo(client, world, cast):
    project = _delivering(world)
    c = _as(client, world.initiator)
    milestone = c.post(
        f"{API}/{project.pk}/milestones",
        {"title": "采购", "due": "2030-01-01"},
        content_type="application/json",
    ).json()["id"]
    url = f"{API}/{project.pk}/expenses/with-photos"
    body = {"payee": "五金店", "description": "声控灯", "amount": 3_000, "milestone": milestone}
    resp = c.post(url, {**body, "receipt": not_a_photo()})
    assert resp.status_code == 400 and resp.json()["field"] == "receipt"
    resp = c.post(url, {**body, "amount": 20_000, "receipt": photo()})
    assert resp.status_code == 400 and resp.json()["field"] == "amount"
    assert not Expense.objects.exists()
    resp = c.post(url, {**body, "receipt": photo()})
    assert resp.status_code == 201, resp.content
    expense = Expense.objects.get()
    assert expense.milestone_id == milestone and expense.receipt
    seen = _as(client, cast.resident2).get(f"{API}/{project.pk}/expenses/{expense.pk}/receipt")
    assert seen.status_code == 200
    c = _as(client, world.initiator)
    done = f"{API}/{project.pk}/milestones/{milestone}/done"
    resp = c.post(done, {"note": "灯已装好", "photo": not_a_photo()})
    assert resp.status_code == 400 and resp.json()["field"] == "photo"
    assert Milestone.objects.get().done_at is None
    resp = c.post(done, {"note": "灯已装好", "photo": photo()})
    assert resp.status_code == 200 and resp.json()["done_at"]
    assert c.get(f"{API}/{project.pk}/milestones/{milestone}/photo").status_code == 200
    assert c.post(done, {"note": "again"}).status_code == 409
    outsider = _as(client, cast.other_district)
    assert outsider.post(done, {"note": "x"}).status_code == 404
    assert outsider.get(f"{API}/{project.pk}/milestones/{milestone}/photo").status_code == 404


def test_the_photo_routes_are_documented(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/projects/{project_id}/photos",
        "/api/v1/projects/{project_id}/payments/with-photos",
        "/api/v1/projects/{project_id}/expenses/with-photos",
        "/api/v1/projects/{project_id}/milestones/{milestone_id}/done",
    ):
        assert "post" in paths[path]
        assert "multipart/form-data" in paths[path]["post"]["requestBody"]["content"]
    assert "image/jpeg" in str(paths["/api/v1/projects/{project_id}/photos/{photo_id}"])
