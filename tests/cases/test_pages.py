"""The public library (anyone, signed in or not), a case's page, the staff editor."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shezhi.cases.models import Case
from tests.factories import PASSWORD

from .conftest import publish, write

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def test_the_public_library_searches_and_shows_a_case(client, territory, shared_cast):
    case = publish(shared_cast, write(shared_cast, territory))
    draft = write(shared_cast, territory, title="停车难的草稿")
    r = client.get("/cases/")
    assert r.status_code == 200 and case.title in r.content.decode()
    assert draft.title not in r.content.decode()
    r = client.get("/cases/", {"q": "坝坝会"})
    assert case.title in r.content.decode()
    r = client.get("/cases/", {"q": "老"})
    assert case.title not in r.content.decode()
    assert client.get("/cases/", {"q": "x" * 101}).status_code == 200  # cut to 100
    assert client.get("/cases/", {"q": "电梯", "after": "junk"}).status_code == 400
    assert client.get("/cases/", {"tag": "加装电梯"}).status_code == 200
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "楼栋长挨家挨户" in page and "case-actions" not in page
    assert client.get(f"/cases/{draft.pk}/").status_code == 404


def test_staff_write_with_photos_review_and_publish(client, territory, shared_cast):
    staff = _as(client, shared_cast.community)
    assert staff.get("/cases/manage/").status_code == 200
    assert staff.get("/cases/new/").status_code == 200
    r = staff.post(
        "/cases/new/",
        {
            "area": territory["community"].pk,
            "title": "院落自治：从没人管到大家管",
            "summary": "",
            "background": "老院落没有物业。",
            "approach": "成立院落自治小组，制定院规。",
            "results": "",
            "figures": "参与居民 | 86 | 户\n议事会 | 12 | 次",
            "tags": "院落自治",
            "photos": [jpeg()],
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert case.figures[0] == {"label": "参与居民", "value": 86, "unit": "户"}
    photo = case.photos.get()
    assert staff.get(f"/cases/{case.pk}/photos/{photo.pk}/").status_code == 200
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 200
    staff.post(f"/cases/{case.pk}/review/")
    case.refresh_from_db()
    assert case.status == "draft"  # the writer does not review their own case
    street = _as(client, shared_cast.street)
    street.post(f"/cases/{case.pk}/review/")
    street.post(f"/cases/{case.pk}/publish/")
    case.refresh_from_db()
    assert case.status == "published"
    client.logout()
    assert client.get(f"/cases/{case.pk}/photos/{photo.pk}/").status_code == 200
    assert "院落自治" in client.get("/cases/", {"q": "院规"}).content.decode()


def test_the_editor_refuses_bad_input_and_strangers(client, territory, shared_cast):
    case = write(shared_cast, territory)
    staff = _as(client, shared_cast.community)
    r = staff.post(
        "/cases/new/",
        {"area": territory["community"].pk, "title": "", "figures": "只有名称"},
    )
    assert r.status_code == 400 and Case.objects.count() == 1
    r = staff.post(f"/cases/{case.pk}/edit/", {"area": territory["community"].pk,
                                                "title": "t", "tags": "标签" * 11})  # fmt: skip
    assert r.status_code == 400 and "tags-error" in r.content.decode()
    other = _as(client, shared_cast.community2)
    assert other.get(f"/cases/{case.pk}/edit/").status_code == 404
    assert other.post(f"/cases/{case.pk}/review/").status_code == 404
    worker = _as(client, shared_cast.grid_worker)
    assert worker.get("/cases/manage/").status_code == 404
    assert worker.get("/cases/new/").status_code == 404
    assert worker.get("/cases/new/?source=demands.demandgroup:999").status_code == 404
    client.logout()
    assert client.get("/cases/manage/").status_code == 302
