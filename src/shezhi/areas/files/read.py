"""The entry points: an area file to AreaFeatures and a Report, its format told by its content."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from .. import report as r
from ..features import AreaFeature
from ..report import Report
from .geojson import _read_geojson
from .shapefiles import _read_zip

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
