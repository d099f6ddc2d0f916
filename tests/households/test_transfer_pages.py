"""The Excel pages: the import page (template, upload, mode), the report (status, counts,
errors by row and column) and the overview's masked export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shezhi.households.import_models import HouseholdImport
from shezhi.households.models import Resident
from tests.households.test_transfer import good_rows, row, xlsx

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, *, valid_rows_only=False, capture):
    with capture(execute=True):
        return client.post(
            reverse("households:import"),
            {
                "file": SimpleUploadedFile("住户.xlsx", data),
                "valid_rows_only": "1" if valid_rows_only else "",
            },
        )


def test_the_import_page_offers_the_template_and_the_modes(client, cast, place):
    client.force_login(cast.community)
    page = client.get(reverse("households:import"))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("households:import_template") in body
    assert 'name="valid_rows_only"' in body
    template = client.get(reverse("households:import_template"))
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]["B1"].value


def test_an_upload_is_imported_by_the_worker_and_reported(
    client, cast, place, django_capture_on_commit_callbacks
):
    client.force_login(cast.community)
    response = upload(client, xlsx(good_rows()), capture=django_capture_on_commit_callbacks)
    job = HouseholdImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("households:import_report", args=[job.pk])
    assert job.status == HouseholdImport.Status.IMPORTED, job.report
    assert not job.file  # the upload is deleted once read
    page = client.get(response.url)
    assert 'data-testid="residents-created">3<' in page.content.decode()
    assert Resident.objects.count() == 3


def test_errors_are_listed_by_row_and_column_and_nothing_is_written(
    client, cast, place, django_capture_on_commit_callbacks
):
    client.force_login(cast.community)
    bad = [*good_rows(), row(room="303", kind="别墅")]
    upload(client, xlsx(bad), capture=django_capture_on_commit_callbacks)
    job = HouseholdImport.objects.get()
    assert job.status == HouseholdImport.Status.REJECTED
    assert not Resident.objects.exists()
    page = client.get(reverse("households:import_report", args=[job.pk])).content.decode()
    assert 'data-testid="household-import-errors"' in page
    assert "<td>5</td>" in page


def test_a_file_that_is_not_a_workbook_is_refused_at_once(client, cast, place):
    client.force_login(cast.community)
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("住户.csv", b"a,b\n1,2\n")}
    )
    assert response.status_code == 200
    assert not HouseholdImport.objects.exists()


def test_the_import_pages_are_for_those_who_register_households(client, cast, place):
    for user in (cast.dept_cg, cast.alliance, cast.resident, cast.nobody):
        client.force_login(user)
        assert client.get(reverse("households:import")).status_code == 404
        assert client.get(reverse("households:import_template")).status_code == 404
    job = HouseholdImport.objects.create(created_by=cast.community, original_name="x.xlsx")
    client.force_login(cast.community2)
    assert client.get(reverse("households:import_report", args=[job.pk])).status_code == 404


def test_the_overview_exports_masked_and_only_where_the_user_lists_households(
    client, territory, cast, place
):
    client.force_login(cast.community)
    code = territory["community"].code
    overview = client.get(reverse("households:overview", args=[code])).content.decode()
    assert reverse("households:export", args=[code]) in overview
    response = client.get(reverse("households:export", args=[code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(cast.mg_worker)  # their micro-grid, not the community
    assert client.get(reverse("households:export", args=[code])).status_code == 404
    assert (
        client.get(reverse("households:export", args=[territory["micro1"].code])).status_code == 200
    )
    client.force_login(cast.dept_cg)  # counts only
    assert client.get(reverse("households:export", args=[code])).status_code == 404


def test_the_api_reports_an_import_to_its_importer_only(
    client, cast, place, django_capture_on_commit_callbacks
):
    client.force_login(cast.community)
    bad = [*good_rows(), row(room="303", kind="别墅")]
    upload(client, xlsx(bad), valid_rows_only=True, capture=django_capture_on_commit_callbacks)
    job = HouseholdImport.objects.get()
    answer = client.get(f"/api/v1/households/imports/{job.pk}").json()
    assert answer["status"] == "partly_imported" and answer["residents_created"] == 3
    assert [(e["row"], e["column"]) for e in answer["errors"]] == [(5, "户类型")]
    client.force_login(cast.community2)
    assert client.get(f"/api/v1/households/imports/{job.pk}").status_code == 404
