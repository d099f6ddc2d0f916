"""The areas API: token sign-in, scoped listing and detail, boundaries, locate."""

from __future__ import annotations

import pytest
from django.test import Client

from shezhi.areas.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(client: Client, username: str) -> dict:
    resp = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    return {"HTTP_AUTHORIZATION": f"Bearer {resp.json()['token']}"}


def test_token_sign_in_refuses_wrong_password(client, users):
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "street_staff", "password": "wrong"},
        content_type="application/json",
    )
    assert resp.status_code == 401
    assert "Wrong username or password" in resp.json()["detail"]


def test_token_is_stored_hashed_only(client, users):
    from shezhi.core.models import ApiToken

    headers = bearer(client, "street_staff")
    raw = headers["HTTP_AUTHORIZATION"].split()[1]
    token = ApiToken.objects.get(user=users["street_staff"])
    assert raw not in (token.key_hash, token.prefix)
    assert token.prefix == raw[:8]


def test_api_requires_authentication(client, territory):
    assert client.get("/api/v1/areas").status_code == 401
    assert client.get("/api/v1/locate?lng=104.02&lat=30.62").status_code == 401
    resp = client.get("/api/v1/areas", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert resp.status_code == 401


def test_list_is_scoped(client, users):
    headers = bearer(client, "street_staff")
    codes = {a["code"] for a in client.get("/api/v1/areas?limit=100", **headers).json()["items"]}
    assert "510113001" in codes and "510113001001001501" in codes
    assert not codes & {"510113", "510113002", "510114"}

    headers = bearer(client, "root")
    data = client.get("/api/v1/areas?limit=100", **headers).json()
    assert data["count"] == 11


def test_list_filters(client, users):
    headers = bearer(client, "district_admin")

    def get(qs):
        return [a["code"] for a in client.get(f"/api/v1/areas?{qs}", **headers).json()["items"]]

    assert get("level=street") == ["510113001", "510113002"]
    assert get("kind=dedicated") == ["510113001001001501"]
    assert get("dedicated_type=school") == ["510113001001001501"]
    assert get("q=凤凰社区第2") == ["510113001001002"]
    assert get("q=510113001001001") == [
        "510113001001001",
        "510113001001001001",
        "510113001001001002",
        "510113001001001501",
    ]
    assert get("within=510113001001&level=general_grid") == ["510113001001001", "510113001001002"]


def test_list_rejects_bad_filter_values(client, users):
    headers = bearer(client, "district_admin")
    resp = client.get("/api/v1/areas?level=village", **headers)
    assert resp.status_code == 422
    assert "level" in resp.content.decode()
    # within= an area outside scope is a 404, not an empty list
    assert client.get("/api/v1/areas?within=510114", **headers).status_code == 404


def test_detail_children_boundary(client, users):
    headers = bearer(client, "street_staff")
    detail = client.get("/api/v1/areas/510113001001", **headers).json()
    assert detail["name"] == "凤凰社区"
    assert detail["level"] == "community"
    assert detail["parent_code"] == "510113001"
    assert [a["code"] for a in detail["ancestors"]] == ["510113", "510113001"]
    assert detail["counts"] == {
        "general_grid": 2,
        "micro_grid": 3,
        "micro_grid_general": 2,
        "micro_grid_dedicated": 1,
    }
    assert detail["centroid"] == pytest.approx([104.05, 30.7])
    # 0.1° of longitude at 30.7°N is 9.57 km; 0.2° of latitude is 22.24 km
    assert detail["area_m2"] == pytest.approx(9.57e3 * 22.24e3, rel=0.01)

    children = client.get("/api/v1/areas/510113001001001/children", **headers).json()
    assert [c["code"] for c in children] == [
        "510113001001001001",
        "510113001001001002",
        "510113001001001501",
    ]
    assert children[2]["kind"] == "dedicated" and children[2]["dedicated_type"] == "school"

    resp = client.get("/api/v1/areas/510113001001/boundary", **headers)
    assert resp["Content-Type"] == "application/geo+json"
    feature = resp.json()
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"

    fc = client.get("/api/v1/areas/510113001/children/boundaries", **headers).json()
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in fc["features"]] == ["510113001001", "510113001002"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/areas/{code}",
        "/api/v1/areas/{code}/children",
        "/api/v1/areas/{code}/boundary",
        "/api/v1/areas/{code}/children/boundaries",
    ],
)
@pytest.mark.parametrize(
    ("username", "inside", "outside"),
    [
        ("street_staff", "510113001001", "510113002"),
        ("street_staff", "510113001", "510113"),
        ("other_street", "510113002", "510113001001001501"),
        ("district_admin", "510113001001001501", "510114"),
        ("other_district", "510114", "510113"),
        ("nobody", None, "510113"),
    ],
)
def test_scope_matrix(client, users, path, username, inside, outside):
    headers = bearer(client, username)
    if inside:
        assert client.get(path.format(code=inside), **headers).status_code == 200
    assert client.get(path.format(code=outside), **headers).status_code == 404
    assert client.get(path.format(code="999999"), **headers).status_code == 404


def chain(resp):
    return [a["code"] for a in resp.json()["areas"]]


def test_locate_chain_deepest_first(client, users):
    headers = bearer(client, "street_staff")
    resp = client.get("/api/v1/locate?lng=104.02&lat=30.62", **headers)
    assert resp.status_code == 200
    assert chain(resp) == [
        "510113001001001001",
        "510113001001001",
        "510113001001",
        "510113001",
        "510113",
    ]
    assert resp.json()["lng"] == pytest.approx(104.02)


def test_locate_dedicated_wins_and_shared_edge_goes_to_lower_code(client, users):
    headers = bearer(client, "street_staff")
    inside_school = client.get("/api/v1/locate?lng=104.05&lat=30.655", **headers)
    assert chain(inside_school)[0] == "510113001001001501"
    on_edge = client.get("/api/v1/locate?lng=104.05&lat=30.62", **headers)
    assert chain(on_edge)[0] == "510113001001001001"
    # a general grid without micro-grids answers the grid itself
    assert chain(client.get("/api/v1/locate?lng=104.05&lat=30.75", **headers))[0] == (
        "510113001001002"
    )


@pytest.mark.parametrize(("convert", "crs"), [(wgs84_to_gcj02, "gcj02"), (wgs84_to_bd09, "bd09")])
def test_locate_accepts_chinese_coordinate_systems(client, users, convert, crs):
    headers = bearer(client, "street_staff")
    lng, lat = convert(104.02, 30.62)
    assert abs(lng - 104.02) > 1e-3  # the shift is real
    resp = client.get(f"/api/v1/locate?lng={lng}&lat={lat}&crs={crs}", **headers)
    assert resp.status_code == 200
    assert resp.json()["lng"] == pytest.approx(104.02, abs=1e-8)
    assert resp.json()["lat"] == pytest.approx(30.62, abs=1e-8)
    assert chain(resp)[0] == "510113001001001001"


def test_locate_errors(client, users):
    headers = bearer(client, "street_staff")
    other_street = client.get("/api/v1/locate?lng=104.3&lat=30.7", **headers)
    assert other_street.status_code == 404
    assert other_street.json()["code"] == "outside_your_areas"
    assert "510113002" not in other_street.content.decode()
    outside = client.get("/api/v1/locate?lng=100.0&lat=30.0", **headers)
    assert outside.status_code == 404
    assert outside.json()["code"] == "outside_all_districts"
    swapped = client.get("/api/v1/locate?lng=30.62&lat=104.02", **headers)
    assert swapped.status_code == 400
    assert swapped.json()["code"] == "invalid_coordinates"
    assert "写反" in swapped.json()["detail"]  # Chinese first
    swapped = client.get(
        "/api/v1/locate?lng=30.62&lat=104.02", HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    assert "swapped" in swapped.json()["detail"]
    out_of_range = client.get("/api/v1/locate?lng=204&lat=30", **headers)
    assert out_of_range.status_code == 400
    assert client.get("/api/v1/locate?lng=abc&lat=30", **headers).status_code == 422
    assert client.get("/api/v1/locate?lng=104&lat=30&crs=utm", **headers).status_code == 422


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/areas",
        "/api/v1/areas/{code}",
        "/api/v1/areas/{code}/children",
        "/api/v1/areas/{code}/boundary",
        "/api/v1/locate",
    ):
        assert path in schema["paths"], path
