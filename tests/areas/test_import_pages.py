"""The web back office's area import: upload, background run, report on the page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shezhi.areas.models import Area, AreaImport
from tests.factories import PASSWORD, feature_collection, make_user, territory_features

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "grids.geojson") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


def good_file() -> bytes:
    return json.dumps(feature_collection(territory_features()), ensure_ascii=False).encode()


@pytest.fixture
def post_file(client, django_capture_on_commit_callbacks):
    """POST to the import page and run what it queued on commit.

    Tests run inside a transaction that never commits; the captured callbacks
    are run as a commit would (the immediate task backend then imports).
    """

    def post(data: dict, follow: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(reverse("areas:imports"), data)
        if follow and resp.status_code == 302:
            resp = client.get(resp["Location"])
        return resp

    return post


@pytest.fixture
def admin_user(db):
    # A district admin of a district that does not exist yet may import it:
    # scope for imports is by district code, held here through a superuser-made role.
    from shezhi.areas.services import import_areas

    import_areas(features=territory_features()[:1])  # the district itself
    district = Area.objects.get(code="510113")
    return make_user("qbj", role="district_admin", area=district)


def test_district_admin_imports_and_reads_the_report(client, admin_user, post_file):
    client.login(username="qbj", password=PASSWORD)
    page = client.get(reverse("areas:imports"))
    assert page.status_code == 200
    resp = post_file({"file": upload(good_file())})
    job = AreaImport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "areas:import_detail", args=[job.pk]
    )
    # The immediate task backend ran it on commit.
    job.refresh_from_db()
    assert job.status == "imported", job.report
    assert job.report["created"] == 9 and job.report["updated"] == 1
    assert Area.objects.count() == 10
    detail = client.get(resp["Location"]).content.decode()
    assert "0 error(s), 0 warning(s)" in detail or "0 个错误" in detail
    assert 'http-equiv="refresh"' not in detail


def test_report_lists_every_error_and_nothing_is_written(client, admin_user, post_file):
    features = territory_features()
    features[7].geometry = {"type": "LineString", "coordinates": [[104.0, 30.6], [104.1, 30.7]]}
    features[8].parent_code = "510113001001009"
    features[8].code = "510113001001009002"
    client.login(username="qbj", password=PASSWORD)
    body = json.dumps(feature_collection(features), ensure_ascii=False).encode()
    resp = post_file({"file": upload(body)}, follow=True)
    job = AreaImport.objects.get()
    assert job.status == "rejected"
    kinds = {e["kind"] for e in job.report["errors"]}
    assert {"wrong_geometry_type", "unknown_parent"} <= kinds
    html = resp.content.decode()
    assert "510113001001001001" in html and "510113001001009002" in html
    assert "wrong_geometry_type" in html and "unknown_parent" in html
    assert Area.objects.count() == 1  # only the district from the fixture


def test_validate_only_writes_nothing(client, admin_user, post_file):
    client.login(username="qbj", password=PASSWORD)
    post_file({"file": upload(good_file()), "validate_only": "on"})
    job = AreaImport.objects.get()
    assert job.status == "validated"
    assert Area.objects.count() == 1


def test_import_into_another_district_is_refused(client, admin_user, post_file):
    other = territory_features()
    for f in other:
        f.code = "510114" + f.code[6:]
        f.parent_code = ("510114" + f.parent_code[6:]) if f.parent_code else None
    client.login(username="qbj", password=PASSWORD)
    post_file(
        {"file": upload(json.dumps(feature_collection(other)).encode())},
    )
    job = AreaImport.objects.get()
    assert job.status == "rejected"
    assert {e["kind"] for e in job.report["errors"]} == {"outside_scope"}
    assert not Area.objects.filter(code__startswith="510114").exists()


def test_bad_uploads_are_refused_before_anything_is_stored(client, admin_user, settings, post_file):
    client.login(username="qbj", password=PASSWORD)
    resp = post_file({"file": upload(b"x,y\n1,2\n", "grids.csv")})
    assert resp.status_code == 200
    assert "grids.csv" in resp.content.decode()
    settings.SHEZHI_AREA_IMPORT_MAX_BYTES = 100
    resp = post_file({"file": upload(good_file())})
    assert resp.status_code == 200
    assert "MB" in resp.content.decode()
    assert AreaImport.objects.count() == 0


def test_broken_json_is_reported_on_the_page(client, admin_user, post_file):
    client.login(username="qbj", password=PASSWORD)
    resp = post_file(
        {"file": upload(b'{"type": "FeatureCollection", "features": [')},
        follow=True,
    )
    job = AreaImport.objects.get()
    assert job.status == "rejected"
    assert job.report["errors"][0]["kind"] == "malformed_json"
    assert "malformed_json" in resp.content.decode()


def test_only_admins_import_and_each_reads_only_their_own(client, admin_user, post_file):
    make_user("staff", role="street_staff", area=Area.objects.get(code="510113"))
    client.login(username="staff", password=PASSWORD)
    assert client.get(reverse("areas:imports")).status_code == 404
    assert post_file({"file": upload(good_file())}).status_code == 404

    client.login(username="qbj", password=PASSWORD)
    post_file({"file": upload(good_file())})
    job = AreaImport.objects.get()
    make_user("other_admin", role="district_admin", area=Area.objects.get(code="510113"))
    client.login(username="other_admin", password=PASSWORD)
    assert client.get(reverse("areas:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("areas:import_detail", args=[job.pk + 1000])).status_code == 404
    client.logout()
    resp = client.get(reverse("areas:imports"))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_a_finished_job_is_not_run_twice(admin_user):
    from shezhi.areas import services

    job = AreaImport.objects.create(
        created_by=admin_user,
        file=upload(good_file()),
        original_name="grids.geojson",
    )
    services.run_import_job(job.pk)
    assert Area.objects.count() == 10
    job.refresh_from_db()
    first_report = job.report
    services.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.report == first_report
