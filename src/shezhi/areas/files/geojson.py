"""Reading a GeoJSON area file, and its coordinate system."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _

from .. import report as r
from ..features import AreaFeature
from ..report import Report
from .feature import _build_feature, _loose_code, _loose_name, _who

# The geographic coordinate systems accepted as WGS84 lng/lat: CGCS2000
# differs from WGS84 by centimetres, far below a grid's tolerance.
_ACCEPTED_DATUMS = (
    "wgs84",
    "wgs1984",
    "worldgeodeticsystem1984",
    "cgcs2000",
    "china2000",
    "chinageodeticcoordinatesystem2000",
)
_ACCEPTED_EPSG = {"4326", "4490", "4979", "4480"}


# ---------------------------------------------------------------------------
# GeoJSON


def _read_geojson(data: bytes, filename: str, report: Report) -> list[AreaFeature]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        report.error(
            r.BAD_ENCODING,
            _(
                "%(file)s is not UTF-8 text: byte 0x%(byte)02x at byte offset %(offset)d "
                "(line %(line)d) cannot be read. GeoJSON must be saved as UTF-8; "
                "re-export it with the encoding set to UTF-8."
            )
            % {"file": filename, "byte": data[e.start], "offset": e.start, "line": line},
            where=filename,
            data={"offset": e.start, "line": line},
        )
        return []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        report.error(
            r.MALFORMED_JSON,
            _("%(file)s is not valid JSON: %(reason)s at line %(line)d, column %(column)d.")
            % {"file": filename, "reason": e.msg, "line": e.lineno, "column": e.colno},
            where=filename,
            data={"line": e.lineno, "column": e.colno, "offset": e.pos},
        )
        return []
    except RecursionError:
        report.error(
            r.MALFORMED_JSON,
            _("%(file)s is nested too deeply to be GeoJSON.") % {"file": filename},
            where=filename,
        )
        return []

    got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
    if not isinstance(doc, dict) or got != "FeatureCollection":
        report.error(
            r.NOT_FEATURE_COLLECTION,
            _(
                "%(file)s must be a GeoJSON FeatureCollection (an object with "
                '"type": "FeatureCollection" and a "features" list); it is %(got)s.'
            )
            % {"file": filename, "got": _describe(got)},
            where=filename,
            data={"got": str(got)},
        )
        return []
    raw_features = doc.get("features")
    if not isinstance(raw_features, list):
        report.error(
            r.NOT_FEATURE_COLLECTION,
            _('%(file)s is a FeatureCollection without a "features" list.') % {"file": filename},
            where=filename,
        )
        return []
    if not _geojson_crs_ok(doc.get("crs"), filename, report):
        return []

    features = []
    for n, raw in enumerate(raw_features, start=1):
        where = _("feature #%(n)d") % {"n": n}
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            got = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
            report.error(
                r.BAD_FEATURE,
                _(
                    '%(where)s is not a GeoJSON Feature (an object with "type": "Feature"); '
                    "it is %(got)s."
                )
                % {"where": where, "got": _describe(got)},
                where=where,
                data={"got": str(got)},
            )
            continue
        props = raw.get("properties")
        if not isinstance(props, dict):
            report.error(
                r.BAD_FEATURE,
                _("%(where)s has no properties, so neither its code, name nor level is known.")
                % {"where": where},
                where=where,
            )
            continue
        props_code = _loose_code(props)
        if "geometry" not in raw or raw["geometry"] is None:
            report.error(
                r.BAD_FEATURE,
                _("%(feature)s has no geometry.")
                % {"feature": _who(props_code, _loose_name(props), where)},
                code=props_code,
                where=where,
            )
            continue
        feature = _build_feature(props, raw["geometry"], where, report)
        if feature is not None:
            features.append(feature)
    return features


def _describe(got: Any) -> str:
    if got is None:
        return _("an object without a type")
    return _('"%(type)s"') % {"type": got}


def _geojson_crs_ok(crs: Any, filename: str, report: Report) -> bool:
    """False (and an error) for a legacy ``crs`` member naming a projected system."""
    if not isinstance(crs, dict):
        return True
    name = str((crs.get("properties") or {}).get("name") or "")
    if "crs84" in name.lower():
        return True
    epsg = re.search(r"EPSG[:/]*(?:[\d.]*:+)?(\d+)\s*$", name, re.IGNORECASE)
    if epsg is None or epsg.group(1) in _ACCEPTED_EPSG:
        return True
    report.error(
        r.UNSUPPORTED_CRS,
        _(
            "%(file)s is in the coordinate system %(crs)s. Export it in WGS84 "
            "longitude/latitude (EPSG:4326) instead."
        )
        % {"file": filename, "crs": name},
        where=filename,
        data={"crs": name},
    )
    return False
