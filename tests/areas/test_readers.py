"""Reading area files: every per-feature mistake is reported, naming the feature."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest
import shapefile
from django.utils import translation

from shezhi.areas import report as r
from shezhi.areas.files import read_area_bytes, read_area_file
from shezhi.areas.report import Report

MAX = 10_000_000

WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
CGCS2000_PRJ = (
    'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
    'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]]'
)
BEIJING54_PRJ = (
    'GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,'
    '298.3],TOWGS84[15.8,-154.4,-82.3,0,0,0,0]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]]'
)
GK_PRJ = (
    'PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",117.0],'
    'UNIT["Meter",1.0]]'
)


@pytest.fixture(autouse=True)
def _english():
    # Messages and where-texts are compared in their English source form.
    with translation.override("en"):
        yield


def ring(lng0, lat0, lng1, lat1):
    return [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]


def poly(lng0, lat0, lng1, lat1):
    return {"type": "Polygon", "coordinates": [ring(lng0, lat0, lng1, lat1)]}


def feat(code, name, level, geometry=None, **props):
    props = {"code": code, "name": name, "level": level, **props}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": poly(116.40, 39.90, 116.41, 39.91) if geometry is None else geometry,
    }


def clean_features():
    return [
        feat("110101", "东城区", "district", poly(116.40, 39.90, 116.44, 39.92)),
        feat(
            "110101001",
            "东华门街道",
            "street",
            poly(116.40, 39.90, 116.42, 39.92),
            parent_code="110101",
        ),
        feat(
            "110101001001",
            "多福巷社区",
            "community",
            poly(116.40, 39.90, 116.42, 39.92),
            parent_code="110101001",
        ),
        feat(
            "110101001001001",
            "第一网格",
            "general_grid",
            poly(116.40, 39.90, 116.41, 39.92),
            parent_code="110101001001",
        ),
        feat(
            "110101001001001001",
            "第一微网格",
            "micro_grid",
            poly(116.40, 39.90, 116.41, 39.91),
            parent_code="110101001001001",
            kind="general",
        ),
        # kind missing: a general micro-grid; parent_code missing: taken from the code.
        feat("110101001001001002", "第二微网格", "micro_grid", poly(116.40, 39.91, 116.41, 39.92)),
        feat(
            "110101001001001501",
            "东华门小学",
            "micro_grid",
            poly(116.402, 39.905, 116.403, 39.906),
            parent_code="110101001001001",
            kind="dedicated",
            dedicated_type="school",
        ),
    ]


def collection(features, **extra):
    return {"type": "FeatureCollection", "features": features, **extra}


def read_json(tmp_path, doc, name="areas.geojson", max_bytes=MAX):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return read_area_file(path, max_bytes=max_bytes)


def only(report: Report, kind: str):
    found = report.of_kind(kind)
    assert len(found) == 1, [(p.kind, p.message) for p in report.problems]
    return found[0]


# ---------------------------------------------------------------------------
# GeoJSON


def test_clean_geojson_reads_every_feature_unchanged(tmp_path):
    doc = clean_features()
    # An odd but valid geometry must come back exactly: ints, extra members.
    doc[4]["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.91], [116.4, 39.9]]
        ],
        "bbox": [116.4, 39.9, 116.41, 39.91],
    }
    original = copy.deepcopy(doc)
    features, report = read_json(tmp_path, collection(doc))
    assert report.problems == []
    assert [f.code for f in features] == [f["properties"]["code"] for f in original]
    assert [f.geometry for f in features] == [f["geometry"] for f in original]
    by_code = {f.code: f for f in features}
    assert by_code["110101"].parent_code is None
    assert by_code["110101"].kind == "" and by_code["110101"].dedicated_type == ""
    assert by_code["110101001001001002"].kind == "general"
    assert by_code["110101001001001002"].parent_code == "110101001001001"
    assert by_code["110101001001001501"].dedicated_type == "school"
    assert by_code["110101001"].location == "feature #2"
    assert report.counts == {
        "district": 1,
        "street": 1,
        "community": 1,
        "general_grid": 1,
        "micro_grid": 3,
        "general": 2,
        "dedicated": 1,
    }


def test_file_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.geojson"
    path.write_bytes(b"x" * 2000)  # not even JSON: it must not be parsed
    features, report = read_area_file(path, max_bytes=1000)
    p = only(report, r.FILE_TOO_LARGE)
    assert features == [] and p.where == "big.geojson" and p.data["bytes"] == 2000
    _, report = read_area_bytes(b"x" * 2000, filename="up.json", max_bytes=1000)
    assert only(report, r.FILE_TOO_LARGE).where == "up.json"


def test_geojson_not_utf8_names_the_byte_offset(tmp_path):
    text = json.dumps(collection(clean_features()), ensure_ascii=False)
    data = text.encode("gbk")
    offset = text.encode("utf-8").index("东城区".encode())  # first non-ASCII text
    features, report = read_area_bytes(data, filename="gbk.geojson", max_bytes=MAX)
    p = only(report, r.BAD_ENCODING)
    assert features == [] and p.is_error and p.where == "gbk.geojson"
    assert p.data["offset"] == offset
    assert f"offset {offset}" in p.message and "UTF-8" in p.message


def test_utf8_bom_is_accepted(tmp_path):
    data = b"\xef\xbb\xbf" + json.dumps(collection(clean_features())).encode()
    features, report = read_area_bytes(data, filename="bom.json", max_bytes=MAX)
    assert report.problems == [] and len(features) == 7


def test_malformed_json_names_line_and_column(tmp_path):
    data = b'{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",,}\n]}'
    features, report = read_area_bytes(data, filename="bad.geojson", max_bytes=MAX)
    p = only(report, r.MALFORMED_JSON)
    assert features == [] and p.data["line"] == 3 and p.data["column"] == 22
    assert "line 3, column 22" in p.message


@pytest.mark.parametrize(
    ("doc", "got"),
    [
        (feat("110101", "东城区", "district"), '"Feature"'),
        ([feat("110101", "东城区", "district")], '"list"'),
        ({"features": []}, "an object without a type"),
    ],
)
def test_not_a_feature_collection(tmp_path, doc, got):
    features, report = read_json(tmp_path, doc)
    p = only(report, r.NOT_FEATURE_COLLECTION)
    assert features == [] and got in p.message and p.where == "areas.geojson"


def test_empty_collection_is_an_error(tmp_path):
    _, report = read_json(tmp_path, collection([]))
    assert only(report, r.NO_FEATURES).is_error


def test_bad_features_are_named(tmp_path):
    no_geometry = feat("110101001", "东华门街道", "street")
    no_geometry["geometry"] = None
    no_props = feat("110101002", "景山街道", "street")
    del no_props["properties"]
    doc = collection([feat("110101", "东城区", "district"), no_geometry, no_props, "junk"])
    features, report = read_json(tmp_path, doc)
    assert [f.code for f in features] == ["110101"]
    problems = report.of_kind(r.BAD_FEATURE)
    assert [p.where for p in problems] == ["feature #2", "feature #3", "feature #4"]
    assert problems[0].code == "110101001" and "110101001" in problems[0].message
    assert "no geometry" in problems[0].message
    assert "feature #3" in problems[1].message and "no properties" in problems[1].message
    assert "feature #4" in problems[2].message


@pytest.mark.parametrize("prop", ["code", "name", "level"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_required_property(tmp_path, prop, value):
    f = feat("110101001", "东华门街道", "street", parent_code="110101")
    f["properties"][prop] = value
    features, report = read_json(tmp_path, collection([f]))
    p = only(report, r.MISSING_PROPERTY)
    assert features == [] and p.data["property"] == prop and p.where == "feature #1"
    if prop != "code":
        assert p.code == "110101001" and "110101001" in p.message
    else:
        assert p.code is None and "feature #1" in p.message


@pytest.mark.parametrize(
    ("props", "prop"),
    [
        ({"level": "village"}, "level"),
        ({"kind": "general"}, "kind"),  # on a street
        ({"dedicated_type": "school"}, "dedicated_type"),  # on a street
        ({"name": "长" * 101}, "name"),
    ],
)
def test_bad_property_on_a_street(tmp_path, props, prop):
    f = feat("110101001", "东华门街道", "street", parent_code="110101")
    f["properties"].update(props)
    features, report = read_json(tmp_path, collection([f]))
    p = only(report, r.BAD_PROPERTY)
    assert features == [] and p.data["property"] == prop and p.code == "110101001"
    assert "110101001" in p.message and p.where == "feature #1"


@pytest.mark.parametrize(
    ("props", "kind", "prop"),
    [
        ({"kind": "special"}, r.BAD_PROPERTY, "kind"),
        ({"kind": "dedicated"}, r.MISSING_PROPERTY, "dedicated_type"),
        ({"kind": "dedicated", "dedicated_type": "zoo"}, r.BAD_PROPERTY, "dedicated_type"),
        ({"kind": "general", "dedicated_type": "school"}, r.BAD_PROPERTY, "dedicated_type"),
    ],
)
def test_micro_grid_kinds(tmp_path, props, kind, prop):
    f = feat("110101001001001501", "学校", "micro_grid", **props)
    features, report = read_json(tmp_path, collection([f]))
    p = only(report, kind)
    assert features == [] and p.data["property"] == prop
    assert p.code == "110101001001001501" and "110101001001001501" in p.message


@pytest.mark.parametrize(
    ("code", "level", "fragment"),
    [
        ("11010A001", "street", "not 6, 9, 12, 15 or 18 digits"),
        ("1101010011", "street", "not 6, 9, 12, 15 or 18 digits"),
        ("110101001001", "street", "12 digits, which makes it a community"),
        (110101001.5, "street", "not a whole number or text"),
    ],
)
def test_bad_codes(tmp_path, code, level, fragment):
    f = feat(code, "东华门街道", level, parent_code="110101")
    features, report = read_json(tmp_path, collection([f]))
    p = only(report, r.BAD_CODE)
    assert features == [] and fragment in p.message and p.where == "feature #1"


def test_numeric_codes_are_read_as_text(tmp_path):
    f = feat(110101001, "东华门街道", "street", parent_code=110101)
    features, report = read_json(tmp_path, collection([f]))
    assert report.problems == []
    assert features[0].code == "110101001" and features[0].parent_code == "110101"


def test_malformed_parent_code(tmp_path):
    f = feat("110101001", "东华门街道", "street", parent_code="1101-01")
    _, report = read_json(tmp_path, collection([f]))
    p = only(report, r.BAD_CODE)
    assert p.data["property"] == "parent_code" and p.code == "110101001"


@pytest.mark.parametrize(
    ("geometry", "got"),
    [
        ({"type": "Point", "coordinates": [116.4, 39.9]}, "Point"),
        ({"type": "LineString", "coordinates": [[116.4, 39.9], [116.5, 39.9]]}, "LineString"),
        ({"type": "GeometryCollection", "geometries": []}, "GeometryCollection"),
    ],
)
def test_wrong_geometry_type_says_which(tmp_path, geometry, got):
    features, report = read_json(
        tmp_path, collection([feat("110101", "东城区", "district", geometry)])
    )
    p = only(report, r.WRONG_GEOMETRY_TYPE)
    assert features == [] and p.data["type"] == got and got in p.message
    assert p.code == "110101" and "110101" in p.message


def test_projected_coordinates_are_out_of_range(tmp_path):
    geometry = {"type": "Polygon", "coordinates": [ring(500000, 4420000, 501000, 4421000)]}
    _, report = read_json(tmp_path, collection([feat("110101", "东城区", "district", geometry)]))
    p = only(report, r.COORDINATES_OUT_OF_RANGE)
    assert p.code == "110101" and p.data["projected"] is True
    assert "projected" in p.message and "[500000, 4.42e+06]" in p.message


def test_swapped_coordinates_get_a_specific_hint(tmp_path):
    swapped = {"type": "Polygon", "coordinates": [ring(39.90, 116.40, 39.91, 116.41)]}
    _, report = read_json(tmp_path, collection([feat("110101", "东城区", "district", swapped)]))
    p = only(report, r.SWAPPED_COORDINATES)
    assert p.code == "110101" and "110101" in p.message
    assert (p.lng, p.lat) == (116.40, 39.90)  # where the area really is


def test_swapped_coordinates_in_range_both_ways(tmp_path):
    # Kashgar (lng 76, lat 39) written as [lat, lng]: in range either way
    # round, but only the swapped reading is in China.
    swapped = {"type": "Polygon", "coordinates": [ring(39.40, 75.90, 39.50, 76.00)]}
    _, report = read_json(tmp_path, collection([feat("653101", "喀什市", "district", swapped)]))
    assert only(report, r.SWAPPED_COORDINATES).code == "653101"
    fine = {"type": "Polygon", "coordinates": [ring(75.90, 39.40, 76.00, 39.50)]}
    _, report = read_json(tmp_path, collection([feat("653101", "喀什市", "district", fine)]))
    assert report.problems == []


@pytest.mark.parametrize(
    ("coordinates", "fragment"),
    [
        (
            [[[116.4, 39.9], ["116.41", 39.9], [116.41, 39.91], [116.4, 39.9]]],
            'point 2 of ring 1 is not a pair of numbers: ["116.41", 39.9]',
        ),
        ([[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.91]]], "not closed"),
        ([[[116.4, 39.9], [116.41, 39.9], [116.4, 39.9]]], "has 3 points"),
        ([], "no coordinates"),
    ],
)
def test_bad_coordinates(tmp_path, coordinates, fragment):
    geometry = {"type": "Polygon", "coordinates": coordinates}
    _, report = read_json(tmp_path, collection([feat("110101", "东城区", "district", geometry)]))
    p = only(report, r.BAD_COORDINATES)
    assert p.code == "110101" and fragment in p.message and "110101" in p.message


def test_geojson_in_a_projected_crs(tmp_path):
    doc = collection(clean_features(), crs={"type": "name", "properties": {"name": "EPSG:3857"}})
    features, report = read_json(tmp_path, doc)
    p = only(report, r.UNSUPPORTED_CRS)
    assert features == [] and "EPSG:3857" in p.message
    doc["crs"]["properties"]["name"] = "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert read_json(tmp_path, doc)[1].problems == []


def test_every_mistake_in_a_file_is_reported(tmp_path):
    doc = clean_features()
    doc[1]["properties"]["level"] = "town"  # street: bad level
    doc[2]["geometry"] = {"type": "Point", "coordinates": [116.4, 39.9]}
    doc[4]["properties"]["code"] = ""  # missing code
    doc[5]["properties"]["kind"] = "dedicated"  # without a type
    doc[6]["geometry"]["coordinates"] = [ring(39.905, 116.402, 39.906, 116.403)]
    features, report = read_json(tmp_path, collection(doc))
    assert [f.code for f in features] == ["110101", "110101001001001"]
    got = [(p.kind, p.where) for p in report.errors]
    assert got == [
        (r.BAD_PROPERTY, "feature #2"),
        (r.WRONG_GEOMETRY_TYPE, "feature #3"),
        (r.MISSING_PROPERTY, "feature #5"),
        (r.MISSING_PROPERTY, "feature #6"),
        (r.SWAPPED_COORDINATES, "feature #7"),
    ]
    assert report.codes_with_errors() == {
        "110101001",
        "110101001001",
        "110101001001001002",
        "110101001001001501",
    }


def test_one_feature_with_several_mistakes_gets_them_all(tmp_path):
    f = feat(
        "110101001",
        "",
        "street",
        {"type": "Point", "coordinates": [1, 2]},
        kind="general",
        parent_code="110101",
    )
    _, report = read_json(tmp_path, collection([f]))
    assert {p.kind for p in report.problems} == {
        r.MISSING_PROPERTY,
        r.BAD_PROPERTY,
        r.WRONG_GEOMETRY_TYPE,
    }
    assert all(p.code == "110101001" and p.where == "feature #1" for p in report.problems)


def test_unknown_format():
    _, report = read_area_bytes(b"<kml></kml>", filename="areas.kml", max_bytes=MAX)
    assert only(report, r.UNSUPPORTED_FORMAT).where == "areas.kml"


def test_report_round_trips_through_json(tmp_path):
    doc = clean_features()
    doc[1]["properties"]["level"] = "town"
    _, report = read_json(tmp_path, collection(doc))
    report.warning(r.COVERAGE_GAP, "gap", code="110101", lng=116.4, lat=39.9, data={"gap_m2": 12.5})
    stored = json.loads(json.dumps(report.to_dict()))
    assert stored["counts"]["district"] == 1
    back = Report.from_dict(stored)
    assert [p.kind for p in back.errors] == [r.BAD_PROPERTY]
    assert back.warnings[0].data == {"gap_m2": 12.5} and back.warnings[0].lng == 116.4
    assert back.has_errors and back.counts == report.counts


# ---------------------------------------------------------------------------
# Zipped shapefiles

FIELDS = ("CODE", "NAME", "LEVEL", "PARENT_COD", "KIND", "DEDICATED_")


def shp_rows():
    """Rows for ``make_zip``: the clean hierarchy of ``clean_features``."""
    rows = []
    for f in clean_features():
        p = f["properties"]
        rows.append(
            {
                "geometry": f["geometry"]["coordinates"],
                "CODE": p["code"],
                "NAME": p["name"],
                "LEVEL": p["level"],
                "PARENT_COD": p.get("parent_code", ""),
                "KIND": p.get("kind", ""),
                "DEDICATED_": p.get("dedicated_type", ""),
            }
        )
    return rows


def shapefile_parts(rows, *, encoding="utf-8", fields=FIELDS, shape_type=shapefile.POLYGON):
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    w = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding=encoding)
    for name in fields:
        w.field(name, "C", 60)
    for row in rows:
        geometry = row["geometry"]
        if geometry is None:
            w.null()
        elif shape_type == shapefile.POINT:
            w.point(*geometry)
        else:
            # Shapefile outer rings run clockwise.
            w.poly([list(reversed(ring)) for ring in geometry])
        w.record(*[row.get(name, "") for name in fields])
    w.close()
    return {".shp": shp.getvalue(), ".shx": shx.getvalue(), ".dbf": dbf.getvalue()}


def make_zip(
    tmp_path,
    rows=None,
    *,
    prj=WGS84_PRJ,
    cpg=None,
    drop=(),
    stem="areas",
    encoding="utf-8",
    raw=None,
    **kw,
):
    parts = raw or shapefile_parts(shp_rows() if rows is None else rows, encoding=encoding, **kw)
    if prj is not None:
        parts[".prj"] = prj.encode()
    if cpg is not None:
        parts[".cpg"] = cpg.encode()
    path = tmp_path / f"{stem}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext, content in parts.items():
            if ext not in drop:
                zf.writestr(f"{stem}/{stem}{ext}", content)
    return path


def test_clean_shapefile_with_truncated_field_names(tmp_path):
    features, report = read_area_file(make_zip(tmp_path), max_bytes=MAX)
    assert report.problems == []
    expected = {f["properties"]["code"]: f for f in clean_features()}
    assert [f.code for f in features] == list(expected)
    school = features[-1]
    assert school.kind == "dedicated" and school.dedicated_type == "school"
    assert school.parent_code == "110101001001001" and school.name == "东华门小学"
    assert school.location == "shapefile record 7"
    assert features[0].parent_code is None
    assert features[5].kind == "general" and features[5].parent_code == "110101001001001"
    assert school.geometry["type"] == "Polygon"
    assert sorted(map(tuple, school.geometry["coordinates"][0])) == sorted(
        map(tuple, expected[school.code]["geometry"]["coordinates"][0])
    )


def test_shapefile_with_short_alias_fields(tmp_path):
    rows = shp_rows()
    for row in rows:
        row["parent"], row["ded_type"] = row.pop("PARENT_COD"), row.pop("DEDICATED_")
    path = make_zip(tmp_path, rows, fields=("CODE", "NAME", "LEVEL", "parent", "KIND", "ded_type"))
    features, report = read_area_file(path, max_bytes=MAX)
    assert report.problems == [] and features[-1].dedicated_type == "school"


@pytest.mark.parametrize("cpg", ["GBK", "936", "ANSI 936", "GB2312", None])
def test_gbk_shapefile_with_and_without_cpg(tmp_path, cpg):
    path = make_zip(tmp_path, encoding="gbk", cpg=cpg)
    features, report = read_area_file(path, max_bytes=MAX)
    assert report.problems == []
    assert [f.name for f in features][:2] == ["东城区", "东华门街道"]


def test_wrong_cpg_falls_back_with_a_warning(tmp_path):
    path = make_zip(tmp_path, encoding="gbk", cpg="UTF-8")
    features, report = read_area_file(path, max_bytes=MAX)
    p = only(report, r.ENCODING_GUESSED)
    assert not p.is_error and features[0].name == "东城区" and "gb18030" in p.message


def test_undecodable_record_is_named(tmp_path):
    rows = shp_rows()
    for row in rows:  # written as latin-1 so that the bytes are exactly these
        row["NAME"] = row["NAME"].encode("utf-8").decode("latin-1")
    rows[2]["NAME"] = "\xff\xfe\xff"  # bytes FF FE FF: neither UTF-8 nor GB18030
    features, report = read_area_file(make_zip(tmp_path, rows, encoding="latin-1"), max_bytes=MAX)
    p = only(report, r.BAD_ENCODING)
    assert features == [] and p.code == "110101001001" and p.where == "shapefile record 3"
    assert "110101001001" in p.message and "NAME" in p.message
    assert p.data["encodings"] == ["utf-8", "gb18030"]


def test_projected_prj_is_refused(tmp_path):
    features, report = read_area_file(make_zip(tmp_path, prj=GK_PRJ), max_bytes=MAX)
    p = only(report, r.UNSUPPORTED_CRS)
    assert features == [] and p.data["projected"] is True
    assert "CGCS2000_3_Degree_GK_CM_117E" in p.message and "WGS84" in p.message
    assert p.where == "areas.shp"


@pytest.mark.parametrize(("prj", "ok"), [(CGCS2000_PRJ, True), (BEIJING54_PRJ, False)])
def test_geographic_prj(tmp_path, prj, ok):
    _, report = read_area_file(make_zip(tmp_path, prj=prj), max_bytes=MAX)
    assert (report.problems == []) is ok
    if not ok:
        assert "GCS_Beijing_1954" in only(report, r.UNSUPPORTED_CRS).message


def test_shapefile_without_shx_still_reads(tmp_path):
    features, report = read_area_file(make_zip(tmp_path, drop={".shx"}), max_bytes=MAX)
    assert report.problems == [] and len(features) == 7


def test_shapefile_without_dbf(tmp_path):
    _, report = read_area_file(make_zip(tmp_path, drop={".dbf"}), max_bytes=MAX)
    p = only(report, r.BAD_SHAPEFILE)
    assert ".dbf" in p.message and p.where == "areas.shp"


def test_zip_without_shapefile_and_broken_zip(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert only(read_area_file(path, max_bytes=MAX)[1], r.BAD_SHAPEFILE).where == "notes.zip"
    _, report = read_area_bytes(b"PK\x03\x04garbage", filename="x.zip", max_bytes=MAX)
    assert only(report, r.BAD_SHAPEFILE).where == "x.zip"
    _, report = read_area_bytes(b"garbage", filename="x.zip", max_bytes=MAX)
    assert only(report, r.BAD_SHAPEFILE).where == "x.zip"
    _, report = read_area_bytes(b"garbage", filename="x.shp", max_bytes=MAX)
    assert ".zip" in only(report, r.BAD_SHAPEFILE).message


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * 2_000_000)
    assert path.stat().st_size < 100_000
    _, report = read_area_file(path, max_bytes=100_000)
    assert only(report, r.FILE_TOO_LARGE).data["bytes"] == 2_000_000


def test_point_shapefile_is_the_wrong_geometry_type(tmp_path):
    rows = [{"geometry": (116.4, 39.9), "CODE": "110101", "NAME": "东城区", "LEVEL": "district"}]
    path = make_zip(tmp_path, rows, shape_type=shapefile.POINT)
    _, report = read_area_file(path, max_bytes=MAX)
    p = only(report, r.WRONG_GEOMETRY_TYPE)
    assert p.data["type"] == "POINT" and p.code == "110101" and p.where == "shapefile record 1"


def test_null_shape_and_bad_attributes_in_a_shapefile(tmp_path):
    rows = shp_rows()
    rows[1]["geometry"] = None
    rows[3]["LEVEL"] = "grid"
    rows[4]["CODE"] = "110101001001001"  # a general grid's length on a micro-grid
    features, report = read_area_file(make_zip(tmp_path, rows), max_bytes=MAX)
    got = [(p.kind, p.code, p.where) for p in report.errors]
    assert got == [
        (r.BAD_FEATURE, "110101001", "shapefile record 2"),
        (r.BAD_PROPERTY, "110101001001001", "shapefile record 4"),
        (r.BAD_CODE, "110101001001001", "shapefile record 5"),
    ]
    assert len(features) == 4


def test_shapefile_without_a_code_column(tmp_path):
    rows = shp_rows()
    path = make_zip(tmp_path, rows, fields=("NAME", "LEVEL"))
    _, report = read_area_file(path, max_bytes=MAX)
    p = only(report, r.MISSING_PROPERTY)
    assert p.data["missing"] == ["code"] and "NAME, LEVEL" in p.message


def test_several_layers_in_one_zip(tmp_path):
    rows = shp_rows()
    upper = shapefile_parts(rows[:3])
    lower = shapefile_parts(rows[3:])
    lower_rows = rows[3:]
    lower_rows[0]["LEVEL"] = "bogus"
    lower = shapefile_parts(lower_rows)
    path = tmp_path / "layers.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for stem, parts in (("upper", upper), ("lower", lower)):
            for ext, content in parts.items():
                zf.writestr(f"{stem}{ext}", content)
    features, report = read_area_file(path, max_bytes=MAX)
    assert len(features) == 6
    assert only(report, r.BAD_PROPERTY).where == "shapefile lower.shp record 1"


def test_gbk_member_names_are_shown_readably(tmp_path, monkeypatch):
    parts = shapefile_parts(shp_rows()[:1])
    parts[".prj"] = GK_PRJ.encode()
    path = tmp_path / "gbk-names.zip"
    # What Chinese Windows zip tools write: GBK bytes without the UTF-8 flag.
    monkeypatch.setattr(
        zipfile.ZipInfo,
        "_encodeFilenameFlags",
        lambda self: (self.filename.encode("gbk"), self.flag_bits),
    )
    with zipfile.ZipFile(path, "w") as zf:
        for ext, content in parts.items():
            zf.writestr("东城区" + ext, content)
    monkeypatch.undo()
    _, report = read_area_file(path, max_bytes=MAX)
    assert only(report, r.UNSUPPORTED_CRS).where == "东城区.shp"


def test_damaged_shp_is_reported(tmp_path):
    parts = shapefile_parts(shp_rows())
    parts[".shp"] = parts[".shp"][: len(parts[".shp"]) // 2]
    features, report = read_area_file(make_zip(tmp_path, raw=parts), max_bytes=MAX)
    p = only(report, r.BAD_SHAPEFILE)
    assert features == [] and p.where == "areas.shp"
