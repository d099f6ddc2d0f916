"""Writing areas: all or nothing, updates by code, the tree stays sound."""

from __future__ import annotations

import copy
import json

import pytest

from shezhi.areas import locating, services
from shezhi.areas.models import Area, BoundaryRevision
from tests.factories import square, territory_features

pytestmark = pytest.mark.django_db


def test_import_into_empty_database_builds_the_tree():
    outcome = services.import_areas(features=territory_features())
    assert not outcome.report.has_errors
    assert outcome.written and outcome.created == 10 and outcome.updated == 0
    assert Area.objects.find_problems() == ([], [], [], [], [])
    district = Area.objects.get(code="510113")
    assert district.is_root() and district.numchild == 2
    school = Area.objects.get(code="510113001001001501")
    assert Area.objects.get_parent(school).code == "510113001001001"
    assert school.kind == "dedicated" and school.dedicated_type == "school"
    assert school.centroid_lng == pytest.approx(104.05)
    assert school.max_lat == pytest.approx(30.66)
    assert [
        a.code for a in Area.objects.get_children(Area.objects.get(code="510113001001001"))
    ] == [
        "510113001001001001",
        "510113001001001002",
        "510113001001001501",
    ]


def test_any_error_writes_nothing():
    features = territory_features()
    broken = features[-2]  # a micro-grid
    broken.geometry = {
        "type": "Polygon",
        "coordinates": [
            [[104.05, 30.6], [104.1, 30.7], [104.1, 30.6], [104.05, 30.7], [104.05, 30.6]]
        ],
    }
    before = BoundaryRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    outcome = services.import_areas(features=features)
    assert outcome.report.has_errors and not outcome.written
    assert {p.kind for p in outcome.report.errors} >= {"invalid_geometry"}
    assert any(p.code == broken.code for p in outcome.report.errors)
    assert Area.objects.count() == 0
    after = BoundaryRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    assert before == after


def test_validate_only_writes_nothing():
    outcome = services.import_areas(features=territory_features(), validate_only=True)
    assert not outcome.report.has_errors and not outcome.written
    assert Area.objects.count() == 0


def test_reimport_updates_by_code_and_later_imports_append_children():
    services.import_areas(features=territory_features())
    features = territory_features()
    features[3].name = "凤凰社区（更名）"
    outcome = services.import_areas(features=features)
    assert (outcome.created, outcome.updated) == (0, 10)
    assert Area.objects.get(code="510113001001").name == "凤凰社区（更名）"

    # a second file adds micro-grids to the existing grid 002 only
    from shezhi.areas.features import AreaFeature

    new = [
        AreaFeature(
            code=f"510113001001002{i:03d}",
            name=f"第2网格第{i}微网格",
            level="micro_grid",
            parent_code="510113001001002",
            geometry=square(104.0 + (i - 1) * 0.05, 30.7, 104.0 + i * 0.05, 30.8),
            kind="general",
        )
        for i in (1, 2)
    ]
    outcome = services.import_areas(features=new)
    assert not outcome.report.has_errors, outcome.report.to_dict()
    assert (outcome.created, outcome.updated) == (2, 0)
    assert Area.objects.find_problems() == ([], [], [], [], [])
    grid = Area.objects.get(code="510113001001002")
    assert grid.numchild == 2
    assert [a.code for a in Area.objects.get_children(grid)] == [f.code for f in new]


def test_second_district_gets_its_own_root():
    services.import_areas(features=territory_features()[:1])
    other = copy.deepcopy(territory_features()[0])
    other.code, other.name = "510114", "新都区"
    other.geometry = square(104.5, 30.6, 104.9, 30.8)
    services.import_areas(features=[other])
    assert [a.code for a in Area.objects.get_root_nodes()] == ["510113", "510114"]
    assert Area.objects.find_problems() == ([], [], [], [], [])


def test_district_admin_cannot_import_into_another_district():
    outcome = services.import_areas(features=territory_features(), allowed_districts=["510114"])
    assert outcome.report.has_errors and not outcome.written
    assert {p.kind for p in outcome.report.errors} == {"outside_scope"}
    assert len(outcome.report.errors) == 10
    assert Area.objects.count() == 0


def test_locator_follows_imports():
    services.import_areas(features=territory_features())
    _, chain = locating.locate(104.02, 30.75)
    assert chain[0].code == "510113001001002"  # no micro-grids there yet
    features = territory_features()
    features[5].geometry = square(104.0, 30.6, 104.1, 30.76)  # grid 001 grows north
    features[6].geometry = square(104.0, 30.76, 104.1, 30.8)
    outcome = services.import_areas(features=features)
    assert outcome.written, outcome.report.to_dict()
    _, chain = locating.locate(104.02, 30.75)
    assert chain[0].code == "510113001001001"


def test_export_is_ordered_and_complete():
    services.import_areas(features=territory_features())
    text = services.dump_feature_collection(
        services.export_features(areas=Area.objects.order_by("code"))
    )
    data = json.loads(text)
    assert [f["properties"]["code"] for f in data["features"]] == sorted(
        f.code for f in territory_features()
    )
    school = next(
        f["properties"] for f in data["features"] if f["properties"]["code"] == "510113001001001501"
    )
    assert school == {
        "code": "510113001001001501",
        "name": "实验小学",
        "level": "micro_grid",
        "parent_code": "510113001001001",
        "kind": "dedicated",
        "dedicated_type": "school",
    }


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_under_one_parent_both_land_with_distinct_paths():
    import threading

    from django.db import connection, connections

    from shezhi.areas.features import AreaFeature

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite shares one cache across threads; PostgreSQL runs this")
    services.import_areas(features=territory_features()[:7])
    batches = [
        [
            AreaFeature(
                code=f"510113001001002{i:03d}",
                name=f"第{i}微网格",
                level="micro_grid",
                parent_code="510113001001002",
                geometry=square(104.0 + (i - 1) * 0.025, 30.7, 104.0 + i * 0.025, 30.8),
                kind="general",
            )
        ]
        for i in (1, 2, 3, 4)
    ]
    barrier = threading.Barrier(len(batches))
    outcomes = []

    def run(features):
        try:
            barrier.wait()
            outcomes.append(services.import_areas(features=features))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [o.written for o in outcomes] == [True] * 4
    assert Area.objects.filter(code__startswith="510113001001002").count() == 5
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.get(code="510113001001002").numchild == 4
