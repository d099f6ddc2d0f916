"""The process-wide index over stored boundaries: batch form, CRS input, staleness."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shezhi.areas import locating
from shezhi.areas.geo.crs import wgs84_to_gcj02
from shezhi.areas.models import Area

pytestmark = pytest.mark.django_db


def test_batch_form_agrees_with_single_points(territory):
    rng = np.random.default_rng(3)
    lng = rng.uniform(103.95, 104.95, 2000)
    lat = rng.uniform(30.55, 30.85, 2000)
    positions, rows = locating.locate_many(lng, lat)
    assert positions.shape == (2000,)
    for x, y, pos in zip(lng[:300], lat[:300], positions[:300], strict=True):
        if pos < 0:
            with pytest.raises(locating.OutsideAllDistricts):
                locating.locate(x, y)
        else:
            assert locating.locate(x, y)[1][0] == rows[pos]
    assert (positions >= 0).sum() > 0 and (positions < 0).sum() > 0


def test_batch_form_takes_gcj02(territory):
    lng, lat = wgs84_to_gcj02(np.array([104.02, 104.05]), np.array([30.62, 30.655]))
    positions, rows = locating.locate_many(lng, lat, crs="gcj02")
    assert [rows[p].code for p in positions] == ["510113001001001001", "510113001001001501"]


def test_index_is_rebuilt_when_a_boundary_changes_in_the_back_office(territory, admin_client):
    assert locating.locate(104.02, 30.75)[1][0].code == "510113001001002"
    grid2 = Area.objects.get(code="510113001001002")
    boundary = {
        "type": "Polygon",
        "coordinates": [
            [[104.0, 30.76], [104.1, 30.76], [104.1, 30.8], [104.0, 30.8], [104.0, 30.76]]
        ],
    }
    resp = admin_client.post(
        f"/admin/areas/area/{grid2.pk}/change/",
        {"name": grid2.name, "dedicated_type": "", "boundary": json.dumps(boundary)},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    grid2.refresh_from_db()
    assert grid2.min_lat == pytest.approx(30.76)  # derived fields follow the boundary
    # 30.75 is no longer in grid 2: the community answers
    assert locating.locate(104.02, 30.75)[1][0].code == "510113001001"


def test_back_office_refuses_a_broken_boundary(territory, admin_client):
    grid2 = Area.objects.get(code="510113001001002")
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[104.0, 30.7], [104.1, 30.8], [104.1, 30.7], [104.0, 30.8], [104.0, 30.7]]
        ],
    }
    resp = admin_client.post(
        f"/admin/areas/area/{grid2.pk}/change/",
        {"name": grid2.name, "dedicated_type": "", "boundary": json.dumps(bow_tie)},
    )
    assert resp.status_code == 200
    assert "Self-intersection" in resp.content.decode()
    grid2.refresh_from_db()
    assert grid2.min_lat == pytest.approx(30.7)
    line = {"type": "LineString", "coordinates": [[104.0, 30.7], [104.1, 30.8]]}
    resp = admin_client.post(
        f"/admin/areas/area/{grid2.pk}/change/",
        {"name": grid2.name, "dedicated_type": "", "boundary": json.dumps(line)},
    )
    assert resp.status_code == 200
    assert "Polygon" in resp.content.decode()
