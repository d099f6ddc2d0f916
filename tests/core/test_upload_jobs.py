"""The upload steps every background import shares (``core.jobs``): size and kind checked
before anything is stored, personal data kept sealed on disk, the file gone once read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shezhi.core import jobs
from shezhi.people.roster_models import RosterImport
from tests.factories import make_user

XLSX = {".xlsx": "%(name)s is not an Excel workbook (.xlsx)."}


def test_a_file_too_large_or_of_another_kind_is_refused_by_name():
    big = SimpleUploadedFile("名单.xlsx", b"x" * 11)
    with pytest.raises(jobs.UploadRefused, match=r"0\.0 MB"):
        jobs.upload_name(big, limit=10, suffixes=XLSX)
    with pytest.raises(jobs.UploadRefused, match=r"名单\.csv is not an Excel workbook"):
        jobs.upload_name(SimpleUploadedFile("名单.csv", b"x"), limit=10, suffixes=XLSX)
    # The path a browser may send is not kept, only the file's own name.
    assert jobs.upload_name(SimpleUploadedFile("a/b/名单.XLSX", b"x"), limit=10, suffixes=XLSX) == (
        "名单.XLSX"
    )


@pytest.mark.django_db
def test_a_sealed_upload_holds_no_clear_text_and_is_gone_once_read(territory, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    clear = "张伟,510113199001011234".encode()
    upload = SimpleUploadedFile("名单.xlsx", clear)
    job = RosterImport.objects.create(
        created_by=make_user("staff"),
        original_name="名单.xlsx",
        file=jobs.store_upload(upload, name="名单.xlsx", sealed=True),
    )
    on_disk = (tmp_path / job.file.name).read_bytes()
    assert b"510113199001011234" not in on_disk and job.file.name.endswith(".xlsx.sealed")
    assert jobs.read_upload(job) == clear
    jobs.forget_upload(job)
    job.refresh_from_db()
    assert not job.file and not list(tmp_path.rglob("*.sealed"))
