"""Reading a zipped ESRI shapefile: its members, layers, .prj and shapes."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import PurePosixPath
from typing import Any

import shapefile
from django.utils.translation import gettext as _

from .. import report as r
from ..features import AreaFeature
from ..report import Report
from .encoding import _choose_encoding
from .feature import (
    PROPERTY_ALIASES,
    REQUIRED_PROPERTIES,
    _build_feature,
    _loose_code,
    _loose_name,
    _who,
)
from .geojson import _ACCEPTED_DATUMS, _read_geojson

# A zip's members may hold this many times max_bytes once inflated: shapefiles
# compress a few times over, while a zip bomb would fill the memory.
UNZIPPED_FACTOR = 10


_POLYGON_TYPES = (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM)


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
