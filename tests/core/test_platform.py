"""The skeleton: settings defaults, the console script, security headers, the back office."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shezhi(*args, data_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SHEZHI_SECRET_KEY"}
    }
    environ.update({"SHEZHI_DATA_DIR": str(data_dir), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "shezhi", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        cwd=ROOT,
    )


def test_embedded_default_sqlite_wal_and_generated_secret_key(tmp_path):
    data = tmp_path / "data"
    result = shezhi("migrate", "--no-input", data_dir=data)
    assert result.returncode == 0, result.stderr
    key_file = data / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert len(key) >= 50
    # the key is kept: a second run uses the same one
    result = shezhi(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        data_dir=data,
    )
    assert result.stdout.strip() == key
    db = data / "shezhi.sqlite3"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"areas_area", "core_roleassignment", "django_tasks_database_dbtaskresult"} <= tables


def test_console_script_carries_project_and_django_commands(tmp_path):
    result = shezhi("help", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("areas", "locate", "demo", "run", "migrate", "db_worker"):
        assert name in result.stdout
    bad = shezhi("areas", "frobnicate", data_dir=tmp_path)
    assert bad.returncode != 0
    assert "invalid choice" in bad.stderr


@pytest.mark.django_db
def test_pages_send_a_csp_without_inline_scripts(client):
    resp = client.get("/accounts/login/")
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_chinese_first_english_second(client):
    resp = client.get("/accounts/login/")
    assert resp["Content-Language"] == "zh-hans"
    assert "登录" in resp.content.decode()
    resp = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp["Content-Language"] == "en"
    assert "Sign in" in resp.content.decode()


def test_translations_are_complete():
    import polib

    po = polib.pofile(str(ROOT / "src/shezhi/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()


@pytest.mark.django_db
def test_back_office_has_every_model(admin_client):
    from django.apps import apps
    from django.contrib import admin

    ours = [m for m in apps.get_models() if m._meta.app_label in {"core", "areas"}]
    assert ours
    for model in ours:
        assert admin.site.is_registered(model), model
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_back_office_is_closed_to_non_staff(client, users):
    from tests.factories import PASSWORD

    client.login(username="district_admin", password=PASSWORD)
    resp = client.get("/admin/areas/area/")
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]


@pytest.mark.django_db
def test_department_staff_always_name_a_department_of_their_district(territory):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from shezhi.people.models import Department, RoleAssignment
    from tests.factories import make_user

    user = make_user("dept")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=user, role="department_staff", area=territory["district"]
        )
    other = Department.objects.create(district=territory["other_district"], code="cg", name="城管")
    mine = Department.objects.create(district=territory["district"], code="cg", name="城管")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=user, role="street_staff", area=territory["street1"], department=mine
        )
    wrong = RoleAssignment(
        user=user, role="department_staff", area=territory["district"], department=other
    )
    with pytest.raises(ValidationError, match=r"district|区县"):
        wrong.full_clean()
    RoleAssignment(
        user=user, role="department_staff", area=territory["district"], department=mine
    ).full_clean()
