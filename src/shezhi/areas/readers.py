"""Reading an area file (GeoJSON or zipped ESRI shapefile) into AreaFeatures.

Everything that can be told from one feature alone is checked here and
reported with the feature's code and its place in the file; how the features
fit together is ``validation``'s job. A feature that fails reading is left out
of the returned list. Geometry dicts are kept exactly as given so that an
export imports back identically.

Places in a file are counted from 1: "feature #1" is the first feature of a
GeoJSON file and "shapefile record 1" the first record of the .dbf.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import shapefile
from django.utils.translation import gettext as _

from . import constants as c
from . import report as r
from .features import AreaFeature
from .report import Report

NAME_MAX_LENGTH = 100  # Area.name's max_length

# A zip's members may hold this many times max_bytes once inflated: shapefiles
# compress a few times over, while a zip bomb would fill the memory.
UNZIPPED_FACTOR = 10

# Property names, lower-cased, to the AreaFeature field they fill. DBF field
# names are cut to 10 characters, hence the short forms.
PROPERTY_ALIASES = {
    "code": "code",
    "name": "name",
    "level": "level",
    "parent_code": "parent_code",
    "parent_cod": "parent_code",
    "parent": "parent_code",
    "kind": "kind",
    "dedicated_type": "dedicated_type",
    "dedicated_": "dedicated_type",
    "ded_type": "dedicated_type",
}
REQUIRED_PROPERTIES = ("code", "name", "level")

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

# Encodings tried, in order, when a shapefile has no usable .cpg. UTF-8 goes
# first because GB18030 also decodes most UTF-8 bytes, into nonsense.
_FALLBACK_ENCODINGS = ("utf-8", "gb18030")

_POLYGON_TYPES = (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM)

# Lng/lat rectangle of mainland China (as in geo.crs), for the swapped hint.
_CHINA = (72.004, 137.8347, 0.8293, 55.8271)


# ---------------------------------------------------------------------------
# Entry points


def read_area_file(path: str | Path, *, max_bytes: int) -> tuple[list[AreaFeature], Report]:
    """Reads a .geojson/.json or zipped shapefile at ``path``."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        # Checked before reading so that an oversized upload costs nothing.
        report = Report()
        _too_large(report, path.name, size, max_bytes)
        return [], report
    return read_area_bytes(path.read_bytes(), filename=path.name, max_bytes=max_bytes)


def read_area_bytes(
    data: bytes, *, filename: str, max_bytes: int
) -> tuple[list[AreaFeature], Report]:
    """Reads an uploaded area file, choosing the format by its content."""
    report = Report()
    if len(data) > max_bytes:
        _too_large(report, filename, len(data), max_bytes)
        return [], report
    suffix = PurePosixPath(filename).suffix.lower()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        features = _read_zip(data, filename, max_bytes, report)
    elif suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        report.error(
            r.BAD_SHAPEFILE,
            _(
                "%(file)s is one part of a shapefile. Put the .shp, .shx, .dbf "
                "(and .prj, .cpg) files together into one .zip file and upload that."
            )
            % {"file": filename},
            where=filename,
        )
        features = []
    elif suffix == ".zip":
        report.error(
            r.BAD_SHAPEFILE,
            _("%(file)s is not a valid zip file.") % {"file": filename},
            where=filename,
        )
        features = []
    elif suffix not in (".geojson", ".json", "") and not _looks_like_json(data):
        report.error(
            r.UNSUPPORTED_FORMAT,
            _(
                "%(file)s is neither GeoJSON nor a zipped shapefile. Export the areas "
                "as GeoJSON (WGS84) or as a shapefile zipped with its .shx, .dbf and .prj."
            )
            % {"file": filename},
            where=filename,
        )
        features = []
    else:
        features = _read_geojson(data, filename, report)
    report.count_features(features)
    if not features and not report.has_errors:
        report.error(
            r.NO_FEATURES,
            _("%(file)s contains no areas.") % {"file": filename},
            where=filename,
        )
    return features, report


def _too_large(report: Report, filename: str, size: int, max_bytes: int) -> None:
    report.error(
        r.FILE_TOO_LARGE,
        _("%(file)s is %(size).1f MB; the largest file accepted is %(max).1f MB.")
        % {"file": filename, "size": size / 1e6, "max": max_bytes / 1e6},
        where=filename,
        data={"bytes": size, "max_bytes": max_bytes},
    )


def _looks_like_json(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


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


# ---------------------------------------------------------------------------
# Zipped shapefile


def _read_zip(data: bytes, filename: str, max_bytes: int, report: Report) -> list[AreaFeature]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [
            i
            for i in zf.infolist()
            if not i.is_dir()
            and "__MACOSX" not in i.filename.split("/")
            and not PurePosixPath(i.filename).name.startswith(".")
        ]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        report.error(
            r.BAD_SHAPEFILE,
            _("%(file)s is not a valid zip file (%(reason)s).") % {"file": filename, "reason": e},
            where=filename,
        )
        return []
    unzipped = sum(i.file_size for i in infos)
    if unzipped > max_bytes * UNZIPPED_FACTOR:
        report.error(
            r.FILE_TOO_LARGE,
            _("%(file)s holds %(size).1f MB once unzipped; at most %(max).1f MB is accepted.")
            % {"file": filename, "size": unzipped / 1e6, "max": max_bytes * UNZIPPED_FACTOR / 1e6},
            where=filename,
            data={"bytes": unzipped, "max_bytes": max_bytes * UNZIPPED_FACTOR},
        )
        return []

    # Group the members into layers by path without extension.
    layers: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        p = PurePosixPath(info.filename)
        layers.setdefault(str(p.with_suffix("")).lower(), {})[p.suffix.lower()] = info
    shp_layers = sorted(stem for stem, parts in layers.items() if ".shp" in parts)
    if not shp_layers:
        jsons = [i for i in infos if PurePosixPath(i.filename).suffix.lower() in (".geojson",)]
        if len(jsons) == 1:
            # A zipped GeoJSON is read as if uploaded on its own.
            name = PurePosixPath(_member_name(jsons[0])).name
            content = _unzip(zf, jsons[0], filename, report)
            return [] if content is None else _read_geojson(content, name, report)
        report.error(
            r.BAD_SHAPEFILE,
            _("%(file)s contains no shapefile (.shp).") % {"file": filename},
            where=filename,
            data={"members": [i.filename for i in infos][:50]},
        )
        return []

    features = []
    for stem in shp_layers:
        parts = layers[stem]
        shp_name = PurePosixPath(_member_name(parts[".shp"])).name
        files = {}
        for ext, info in parts.items():
            content = _unzip(zf, info, filename, report)
            if content is None:
                return []
            files[ext] = content
        features += _read_layer(files, shp_name, len(shp_layers) > 1, report)
    return features


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name for messages: Windows zip tools in China store GBK names
    without the UTF-8 flag, which Python reads as code page 437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unzip(zf: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, report: Report):
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as e:
        report.error(
            r.BAD_SHAPEFILE,
            _("%(member)s in %(file)s cannot be unzipped (%(reason)s).")
            % {"member": info.filename, "file": filename, "reason": e},
            where=filename,
        )
        return None


def _read_layer(
    files: dict[str, bytes], shp_name: str, several: bool, report: Report
) -> list[AreaFeature]:
    if several:

        def where_of(n: int) -> str:
            return _("shapefile %(layer)s record %(n)d") % {"layer": shp_name, "n": n}

    else:

        def where_of(n: int) -> str:
            return _("shapefile record %(n)d") % {"n": n}

    if ".dbf" not in files:
        report.error(
            r.BAD_SHAPEFILE,
            _(
                "The shapefile %(layer)s has no .dbf file, so its areas have no codes or "
                "names. Zip the .dbf together with the .shp and .shx."
            )
            % {"layer": shp_name},
            where=shp_name,
        )
        return []
    if ".prj" in files and not _prj_ok(files[".prj"], shp_name, report):
        return []

    try:
        with warnings.catch_warnings():
            # pyshp warns about oddities it copes with; what matters is reported below.
            warnings.simplefilter("ignore")
            # Latin-1 maps bytes to characters one to one, so every text value
            # reads and can be turned back into its bytes to decode properly.
            reader = shapefile.Reader(
                shp=io.BytesIO(files[".shp"]),
                shx=io.BytesIO(files[".shx"]) if ".shx" in files else None,
                dbf=io.BytesIO(files[".dbf"]),
                encoding="latin-1",
            )
            shapes = list(reader.iterShapes())
            records = list(reader.iterRecords(deleted_as_None=True))
            raw_names = [f.name for f in reader.fields[1:]]
    except Exception as e:  # pyshp raises assorted errors on a damaged file
        report.error(
            r.BAD_SHAPEFILE,
            _("The shapefile %(layer)s cannot be read: %(reason)s")
            % {"layer": shp_name, "reason": e},
            where=shp_name,
        )
        return []
    if len(shapes) != len(records):
        report.error(
            r.BAD_SHAPEFILE,
            _(
                "The shapefile %(layer)s has %(shapes)d shapes but %(records)d attribute "
                "records; its .shp and .dbf do not belong together."
            )
            % {"layer": shp_name, "shapes": len(shapes), "records": len(records)},
            where=shp_name,
        )
        return []

    encoding = _choose_encoding(files.get(".cpg"), raw_names, records, shp_name, where_of, report)
    if encoding is None:
        return []
    names = [n.encode("latin-1").decode(encoding, "replace") for n in raw_names]
    fields = {}  # canonical property -> column
    for i, name in enumerate(names):
        canonical = PROPERTY_ALIASES.get(name.strip().lower())
        if canonical and canonical not in fields:
            fields[canonical] = i
    missing = [p for p in REQUIRED_PROPERTIES if p not in fields]
    if missing:
        report.error(
            r.MISSING_PROPERTY,
            _(
                "The attribute table of %(layer)s has no %(missing)s column (its columns "
                "are: %(columns)s). Required: code, name, level; optional: parent_code "
                "(or parent_cod), kind, dedicated_type (or dedicated_)."
            )
            % {"layer": shp_name, "missing": ", ".join(missing), "columns": ", ".join(names)},
            where=shp_name,
            data={"missing": missing, "columns": names},
        )
        return []

    features = []
    for n, (shape, record) in enumerate(zip(shapes, records, strict=True), start=1):
        if record is None:  # deleted in the .dbf: not part of the data
            continue
        values = [
            v.encode("latin-1").decode(encoding, "replace") if isinstance(v, str) else v
            for v in record
        ]
        props = {}
        for i, name in enumerate(names):
            v = values[i]
            props[name] = v.isoformat() if hasattr(v, "isoformat") else v
        where = where_of(n)
        geometry = _shape_geometry(shape, props, where, report)
        if geometry is None:
            continue
        feature = _build_feature(props, geometry, where, report)
        if feature is not None:
            features.append(feature)
    return features


def _prj_ok(prj: bytes, shp_name: str, report: Report) -> bool:
    text = prj.decode("latin-1").strip()
    head = text.split("[", 1)[0].strip().upper()
    names = re.findall(r'(?:GEOGCS|GEOGCRS|GEODCRS|DATUM|PROJCS|PROJCRS)\s*\[\s*"([^"]*)"', text)
    label = names[0] if names else text[:80]
    if head in ("PROJCS", "PROJCRS", "PROJECTEDCRS"):
        report.error(
            r.UNSUPPORTED_CRS,
            _(
                "The shapefile %(layer)s is in the projected coordinate system “%(crs)s” "
                "(metres on a map projection). Re-export it in WGS84 longitude/latitude "
                "(EPSG:4326) or CGCS2000 (EPSG:4490)."
            )
            % {"layer": shp_name, "crs": label},
            where=shp_name,
            data={"crs": label, "projected": True},
        )
        return False
    normalised = [re.sub(r"[^a-z0-9]", "", n.lower()) for n in names]
    if head in ("GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS") and any(
        d in n for n in normalised for d in _ACCEPTED_DATUMS
    ):
        return True
    report.error(
        r.UNSUPPORTED_CRS,
        _(
            "The shapefile %(layer)s is in the coordinate system “%(crs)s”, which is not "
            "WGS84 or CGCS2000. Re-export it in WGS84 longitude/latitude (EPSG:4326)."
        )
        % {"layer": shp_name, "crs": label},
        where=shp_name,
        data={"crs": label, "projected": False},
    )
    return False


def _cpg_encoding(cpg: bytes) -> str | None:
    """The Python codec a .cpg names, or None when it names none we know."""
    name = cpg.decode("ascii", "replace").strip().upper().replace("ANSI ", "CP")
    if name in ("65001", "CP65001"):
        return "utf-8"
    if name in ("GB2312", "CP20936"):
        # Files labelled GB2312 routinely hold GBK characters; GBK is a superset.
        return "gbk"
    if name.isdigit():
        name = "CP" + name
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _choose_encoding(
    cpg: bytes | None,
    raw_names: list[str],
    records: list[Any],
    shp_name: str,
    where_of: Callable[[int], str],
    report: Report,
) -> str | None:
    """The encoding of the .dbf text, or None after reporting that none fits."""
    given = _cpg_encoding(cpg) if cpg is not None else None
    candidates = [given] if given else []
    candidates += [e for e in _FALLBACK_ENCODINGS if codecs.lookup(e).name != given]

    # (record number or 0 for the header, column, bytes) of every non-ASCII text.
    texts = [(0, i, n.encode("latin-1")) for i, n in enumerate(raw_names)]
    for n, record in enumerate(records, start=1):
        if record is None:
            continue
        texts += [
            (n, i, v.encode("latin-1"))
            for i, v in enumerate(record)
            if isinstance(v, str) and not v.isascii()
        ]
    texts = [t for t in texts if not t[2].isascii()]

    failures: dict[str, list[tuple[int, int, bytes]]] = {}
    for enc in candidates:
        bad = []
        for t in texts:
            try:
                t[2].decode(enc)
            except UnicodeDecodeError:
                bad.append(t)
        if not bad:
            if given and enc != given:
                report.warning(
                    r.ENCODING_GUESSED,
                    _(
                        "The .cpg of %(layer)s says the text is %(given)s, but it is not; "
                        "it was read as %(used)s. Check the names."
                    )
                    % {"layer": shp_name, "given": given, "used": enc},
                    where=shp_name,
                    data={"cpg": given, "used": enc},
                )
            return enc
        failures[enc] = bad

    # Nothing decodes everything: name each record that the likeliest encoding
    # (the one failing least often) cannot read.
    best = min(candidates, key=lambda e: len(failures[e]))
    tried = ", ".join(candidates)
    code_col = next(
        (i for i, n in enumerate(raw_names) if PROPERTY_ALIASES.get(n.strip().lower()) == "code"),
        None,
    )
    for n, col, raw in failures[best]:
        column = raw_names[col].encode("latin-1").decode(best, "replace")
        if n == 0:
            report.error(
                r.BAD_ENCODING,
                _(
                    "The column name %(column)s in %(layer)s cannot be read in any of the "
                    "encodings tried (%(tried)s)."
                )
                % {"column": column, "layer": shp_name, "tried": tried},
                where=shp_name,
                data={"column": column, "encodings": candidates, "bytes": raw.hex()[:64]},
            )
            continue
        record = records[n - 1]
        code = None
        if code_col is not None and isinstance(record[code_col], str | int):
            code = str(record[code_col]).strip() or None
        where = where_of(n)
        report.error(
            r.BAD_ENCODING,
            _(
                "%(feature)s: the text in column %(column)s cannot be read in any of the "
                "encodings tried (%(tried)s). Save the attribute table as UTF-8, or add a "
                ".cpg file naming its encoding."
            )
            % {"feature": _who(code, None, where), "column": column, "tried": tried},
            code=code,
            where=where,
            data={"column": column, "encodings": candidates, "bytes": raw.hex()[:64]},
        )
    return None


def _shape_geometry(shape: Any, props: dict[str, Any], where: str, report: Report):
    """The GeoJSON geometry dict of a pyshp shape, or None after reporting why not."""
    code = _loose_code(props)
    who = _who(code, _loose_name(props), where)
    if shape is None or shape.shapeType == shapefile.NULL:
        report.error(
            r.BAD_FEATURE,
            _("%(feature)s has no geometry.") % {"feature": who},
            code=code,
            where=where,
        )
        return None
    if shape.shapeType not in _POLYGON_TYPES:
        got = shapefile.SHAPETYPE_LOOKUP.get(shape.shapeType, str(shape.shapeType))
        report.error(
            r.WRONG_GEOMETRY_TYPE,
            _("%(feature)s is a %(type)s; areas must be polygons.") % {"feature": who, "type": got},
            code=code,
            where=where,
            data={"type": got},
        )
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gi = shape.__geo_interface__
    except Exception as e:  # pyshp fails in assorted ways on degenerate rings
        report.error(
            r.BAD_COORDINATES,
            _("%(feature)s has unusable polygon rings (%(reason)s).")
            % {"feature": who, "reason": e},
            code=code,
            where=where,
        )
        return None
    # Plain lists of [lng, lat] as in GeoJSON; Z and M values are dropped.
    if gi["type"] == "Polygon":
        coords = [[[p[0], p[1]] for p in ring] for ring in gi["coordinates"]]
    else:
        coords = [[[[p[0], p[1]] for p in ring] for ring in poly] for poly in gi["coordinates"]]
    return {"type": gi["type"], "coordinates": coords}


# ---------------------------------------------------------------------------
# One feature


def _canonical(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(known properties by canonical name, the others as given)."""
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in props.items():
        canonical = PROPERTY_ALIASES.get(str(key).strip().lower())
        if canonical is None:
            extra[key] = value
        elif canonical not in known or _blank(known[canonical]):
            known[canonical] = value
    return known, extra


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_text(value: Any) -> str | None:
    """A code property as text; None when it is not a string or a whole number."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    # Whole floats up to 2**53 are exact; longer codes have lost digits already.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return None


def _loose_code(props: dict[str, Any]) -> str | None:
    """The code to name a feature by in messages, even one that fails checks."""
    known, _extra = _canonical(props)
    value = known.get("code")
    text = _code_text(value) if value is not None else None
    return text or None


def _loose_name(props: dict[str, Any]) -> str | None:
    value = _canonical(props)[0].get("name")
    return value.strip() or None if isinstance(value, str) else None


def _who(code: str | None, name: str | None, where: str) -> str:
    """How messages name a feature: by code and name, else by its place."""
    if code and name:
        return _("%(code)s “%(name)s”") % {"code": code, "name": name}
    if code:
        return code
    if name:
        return _("%(where)s “%(name)s”") % {"where": where, "name": name}
    return where


def _build_feature(
    props: dict[str, Any], geometry: Any, where: str, report: Report
) -> AreaFeature | None:
    """An AreaFeature, or None after reporting every problem found in it."""
    known, extra = _canonical(props)
    before = len(report.problems)

    def err(kind: str, message: str, **kw: Any) -> None:
        report.error(kind, message, code=code or None, where=where, **kw)

    raw_code = known.get("code")
    code_text = _code_text(raw_code) if raw_code is not None else ""
    code = code_text or ""
    name_value = known.get("name")
    name = str(name_value).strip() if name_value is not None else ""
    who = _who(code or None, name or None, where)

    if not code:
        if code_text is None:
            err(
                r.BAD_CODE,
                _(
                    "%(feature)s: the code %(value)s is not a whole number or text; store codes "
                    "as text so that no digits are lost."
                )
                % {"feature": who, "value": json.dumps(raw_code, default=str)},
                data={"property": "code", "value": str(raw_code)},
            )
        else:
            err(
                r.MISSING_PROPERTY,
                _("%(feature)s has no code.") % {"feature": who},
                data={"property": "code"},
            )
    elif not c.CODE_RE.match(code):
        err(
            r.BAD_CODE,
            _("%(feature)s: the code “%(value)s” is not 6, 9, 12, 15 or 18 digits.")
            % {"feature": who, "value": code},
            data={"property": "code", "value": code},
        )

    if not name:
        err(
            r.MISSING_PROPERTY,
            _("%(feature)s has no name.") % {"feature": who},
            data={"property": "name"},
        )
    elif len(name) > NAME_MAX_LENGTH:
        err(
            r.BAD_PROPERTY,
            _("%(feature)s: the name is %(length)d characters long; at most %(max)d fit.")
            % {"feature": who, "length": len(name), "max": NAME_MAX_LENGTH},
            data={"property": "name", "length": len(name)},
        )

    level = _lower_text(known.get("level"))
    if not level:
        err(
            r.MISSING_PROPERTY,
            _("%(feature)s has no level.") % {"feature": who},
            data={"property": "level"},
        )
    elif level not in c.LEVELS:
        err(
            r.BAD_PROPERTY,
            _("%(feature)s: the level “%(value)s” is not one of %(allowed)s.")
            % {"feature": who, "value": level, "allowed": ", ".join(c.LEVELS)},
            data={"property": "level", "value": level},
        )
    elif code and c.CODE_RE.match(code) and c.level_for_code(code) != level:
        code_level = c.level_for_code(code)
        err(
            r.BAD_CODE,
            _(
                "%(feature)s: the code has %(digits)d digits, which makes it a %(code_level)s, "
                "but its level is %(level)s (a %(level)s code has %(expected)d digits)."
            )
            % {
                "feature": who,
                "digits": len(code),
                "code_level": code_level,
                "level": level,
                "expected": c.CODE_LENGTH[level],
            },
            data={"property": "code", "value": code, "level": level, "code_level": code_level},
        )

    kind = _lower_text(known.get("kind"))
    dedicated_type = _lower_text(known.get("dedicated_type"))
    if level == c.MICRO_GRID:
        kind = kind or c.KIND_GENERAL
        if kind not in c.KINDS:
            err(
                r.BAD_PROPERTY,
                _("%(feature)s: the kind “%(value)s” is not one of %(allowed)s.")
                % {"feature": who, "value": kind, "allowed": ", ".join(c.KINDS)},
                data={"property": "kind", "value": kind},
            )
        elif kind == c.KIND_DEDICATED and not dedicated_type:
            err(
                r.MISSING_PROPERTY,
                _(
                    "%(feature)s is a dedicated micro-grid without a dedicated_type (one of "
                    "%(allowed)s)."
                )
                % {"feature": who, "allowed": ", ".join(c.DEDICATED_TYPES)},
                data={"property": "dedicated_type"},
            )
        elif kind == c.KIND_DEDICATED and dedicated_type not in c.DEDICATED_TYPES:
            err(
                r.BAD_PROPERTY,
                _("%(feature)s: the dedicated_type “%(value)s” is not one of %(allowed)s.")
                % {
                    "feature": who,
                    "value": dedicated_type,
                    "allowed": ", ".join(c.DEDICATED_TYPES),
                },
                data={"property": "dedicated_type", "value": dedicated_type},
            )
        elif kind == c.KIND_GENERAL and dedicated_type:
            err(
                r.BAD_PROPERTY,
                _(
                    "%(feature)s has the dedicated_type “%(value)s” but is a general "
                    "micro-grid; set its kind to dedicated or clear the dedicated_type."
                )
                % {"feature": who, "value": dedicated_type},
                data={"property": "dedicated_type", "value": dedicated_type},
            )
    elif level in c.LEVELS:
        # kind / dedicated_type belong to micro-grids only.
        for prop, value in (("kind", kind), ("dedicated_type", dedicated_type)):
            if value:
                err(
                    r.BAD_PROPERTY,
                    _(
                        "%(feature)s is a %(level)s but has the %(property)s “%(value)s”, "
                        "which only micro-grids have."
                    )
                    % {"feature": who, "level": level, "property": prop, "value": value},
                    data={"property": prop, "value": value},
                )
        kind = dedicated_type = ""

    parent_code: str | None = None
    if level != c.DISTRICT:
        raw_parent = known.get("parent_code")
        parent_code = _code_text(raw_parent) if raw_parent is not None else ""
        if parent_code is None or (parent_code and not c.CODE_RE.match(parent_code)):
            err(
                r.BAD_CODE,
                _("%(feature)s: the parent_code “%(value)s” is not 6, 9, 12 or 15 digits.")
                % {"feature": who, "value": raw_parent},
                data={"property": "parent_code", "value": str(raw_parent)},
            )
        elif not parent_code and code and c.CODE_RE.match(code) and len(code) > 6:
            # The code scheme makes parent_code redundant: a code's parent is its prefix.
            parent_code = code[:-3]
        parent_code = parent_code or None

    _check_geometry(geometry, who, code or None, where, report)

    if len(report.problems) > before:
        return None
    return AreaFeature(
        code=code,
        name=name,
        level=level,
        parent_code=parent_code,
        geometry=geometry,
        kind=kind,
        dedicated_type=dedicated_type,
        location=where,
        extra=extra,
    )


def _lower_text(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


# ---------------------------------------------------------------------------
# Geometry


class _BadCoordinates(Exception):
    pass


def _check_geometry(geometry: Any, who: str, code: str | None, where: str, report: Report):
    def err(kind: str, message: str, **kw: Any) -> None:
        report.error(kind, message, code=code, where=where, **kw)

    if not isinstance(geometry, dict):
        err(
            r.BAD_FEATURE,
            _("%(feature)s: its geometry is not a GeoJSON geometry object.") % {"feature": who},
        )
        return
    gtype = geometry.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        err(
            r.WRONG_GEOMETRY_TYPE,
            _("%(feature)s is a %(type)s; areas must be a Polygon or MultiPolygon.")
            % {"feature": who, "type": gtype},
            data={"type": str(gtype)},
        )
        return
    try:
        points = _polygon_points(geometry.get("coordinates"), gtype == "MultiPolygon")
    except _BadCoordinates as e:
        err(
            r.BAD_COORDINATES,
            _("%(feature)s: %(reason)s") % {"feature": who, "reason": e.args[0]},
            data=e.args[1] if len(e.args) > 1 else {},
        )
        return

    xy = np.asarray(points, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    in_range = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    swapped_in_range = (np.abs(y) <= 180) & (np.abs(x) <= 90)
    if not in_range.all():
        if swapped_in_range.all():
            _report_swapped(err, who, xy)
            return
        first = xy[np.argmin(in_range)]
        projected = bool(np.abs(xy).max() > 1000)
        hint = (
            _(
                " They look like metres of a projected coordinate system; export in WGS84 "
                "longitude/latitude."
            )
            if projected
            else ""
        )
        err(
            r.COORDINATES_OUT_OF_RANGE,
            _(
                "%(feature)s: %(count)d of its %(total)d points are outside longitude "
                "-180…180 / latitude -90…90, the first being [%(x)s, %(y)s].%(hint)s"
            )
            % {
                "feature": who,
                "count": int((~in_range).sum()),
                "total": len(xy),
                "x": f"{first[0]:g}",
                "y": f"{first[1]:g}",
                "hint": hint,
            },
            data={"first": [float(first[0]), float(first[1])], "projected": projected},
        )
        return
    # In range both ways round: only where the platform is used (China) can tell.
    lng0, lng1, lat0, lat1 = _CHINA
    outside = ~((x >= lng0) & (x <= lng1) & (y >= lat0) & (y <= lat1))
    swapped_inside = (y >= lng0) & (y <= lng1) & (x >= lat0) & (x <= lat1)
    if outside.all() and swapped_inside.all():
        _report_swapped(err, who, xy)


def _report_swapped(err: Callable[..., None], who: str, xy: np.ndarray) -> None:
    first = xy[0]
    err(
        r.SWAPPED_COORDINATES,
        _(
            "%(feature)s: its coordinates seem to be [latitude, longitude]; GeoJSON and "
            "shapefiles need [longitude, latitude]. The first point [%(x)s, %(y)s] would be "
            "[%(y)s, %(x)s]. Swap the axes when exporting."
        )
        % {"feature": who, "x": f"{first[0]:g}", "y": f"{first[1]:g}"},
        # Where the area would be once swapped back.
        lng=float(first[1]),
        lat=float(first[0]),
        data={"first": [float(first[0]), float(first[1])]},
    )


def _polygon_points(coords: Any, multi: bool) -> list[tuple[float, float]]:
    """All positions of a Polygon / MultiPolygon's coordinates, checking their shape."""
    if not isinstance(coords, list) or not coords:
        raise _BadCoordinates(_("its geometry has no coordinates."))
    polygons = coords if multi else [coords]
    points: list[tuple[float, float]] = []
    for pi, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            raise _BadCoordinates(
                _(
                    "polygon %(polygon)d has no rings; MultiPolygon coordinates are a list of "
                    "polygons, each a list of rings."
                )
                % {"polygon": pi}
                if multi
                else _("the coordinates are not a list of rings."),
                {"polygon": pi},
            )
        for ri, ring in enumerate(rings, start=1):
            place = (
                _("ring %(ring)d of polygon %(polygon)d") % {"ring": ri, "polygon": pi}
                if multi
                else _("ring %(ring)d") % {"ring": ri}
            )
            info = {"polygon": pi, "ring": ri}
            if not isinstance(ring, list):
                raise _BadCoordinates(
                    _("%(place)s is not a list of points.") % {"place": place}, info
                )
            for k, pos in enumerate(ring, start=1):
                if (
                    not isinstance(pos, list)
                    or len(pos) < 2
                    or not all(_is_number(v) for v in pos[:2])
                ):
                    raise _BadCoordinates(
                        _("point %(point)d of %(place)s is not a pair of numbers: %(value)s.")
                        % {"point": k, "place": place, "value": _short(pos)},
                        {**info, "point": k},
                    )
                points.append((pos[0], pos[1]))
            if len(ring) < 4:
                raise _BadCoordinates(
                    _(
                        "%(place)s has %(count)d points; a ring needs at least 4, the last "
                        "repeating the first."
                    )
                    % {"place": place, "count": len(ring)},
                    {**info, "points": len(ring)},
                )
            if ring[0][:2] != ring[-1][:2]:
                raise _BadCoordinates(
                    _(
                        "%(place)s is not closed: its last point %(last)s differs from its "
                        "first %(first)s."
                    )
                    % {"place": place, "last": _short(ring[-1]), "first": _short(ring[0])},
                    info,
                )
    return points


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["read_area_bytes", "read_area_file"]
