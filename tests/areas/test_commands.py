"""`shezhi areas import|validate|export` and `shezhi locate`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shezhi.areas.models import Area
from tests.factories import feature_collection, territory_features

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def territory_file(tmp_path):
    path = tmp_path / "territory.geojson"
    path.write_text(json.dumps(feature_collection(territory_features()), ensure_ascii=False))
    return path


def test_import_then_export_round_trips_identically(territory_file, tmp_path):
    out = run("areas", "import", str(territory_file), "--no-progress")
    assert "Imported: 10 created, 0 updated." in out
    first = tmp_path / "first.geojson"
    run("areas", "export", "-o", str(first))

    Area.objects.all().delete()
    run("areas", "import", str(first), "--no-progress")
    second = tmp_path / "second.geojson"
    run("areas", "export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert len(json.loads(first.read_text())["features"]) == 10


def test_export_of_a_subtree(territory_file):
    run("areas", "import", str(territory_file), "--no-progress")
    data = json.loads(run("areas", "export", "--root", "510113001001001"))
    assert [f["properties"]["code"] for f in data["features"]] == [
        "510113001001001",
        "510113001001001001",
        "510113001001001002",
        "510113001001001501",
    ]
    with pytest.raises(CommandError, match="No area with code 999"):
        run("areas", "export", "--root", "999")


def test_validate_reports_and_writes_nothing(territory_file):
    out = run("areas", "validate", str(territory_file), "--no-progress")
    assert "0 error(s)" in out and "nothing written" in out
    assert Area.objects.count() == 0


def test_import_with_errors_fails_and_writes_nothing(tmp_path):
    features = territory_features()
    features[4].parent_code = "510113009"  # unknown parent
    features[4].code = "510113009002"
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("areas", "import", str(path), "--no-progress", stdout=out, stderr=StringIO())
    assert "unknown_parent 510113009002" in out.getvalue()
    assert Area.objects.count() == 0


def test_import_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("areas", "import", str(tmp_path / "nope.geojson"))


def test_locate_command(territory_file):
    run("areas", "import", str(territory_file), "--no-progress")
    out = run("locate", "104.05", "30.655")
    lines = out.strip().splitlines()
    assert lines[0] == "WGS84 104.0500000,30.6550000"
    assert lines[1].startswith("510113001001001501\tmicro_grid\t实验小学 [dedicated/school]")
    assert lines[-1].startswith("510113\tdistrict\t测试区")
    with pytest.raises(CommandError, match="不在任何区县范围内"):
        run("locate", "100", "20")
    with pytest.raises(CommandError, match="写反"):
        run("locate", "30.6", "104.05")
