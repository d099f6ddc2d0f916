"""Every write to the territory: importing boundaries, deriving their figures."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from shezhi.core import jobs
from shezhi.core.lists import subtree_q

from . import constants as c
from . import permissions
from .features import AreaFeature
from .geo.metric import LocalMetric
from .models import Area, AreaImport, BoundaryRevision
from .report import ERROR, INTERNAL_ERROR, OUTSIDE_SCOPE, Problem, Report
from .signals import bump_boundary_revision
from .validation import validate_features

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def derive_geometry_fields(geometry: dict[str, Any]) -> dict[str, float]:
    """Centroid, bounding box and area in m², all from the GeoJSON boundary."""
    geom = shape(geometry)
    centroid = geom.centroid
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    metric = LocalMetric(centroid.x, centroid.y)
    return {
        "centroid_lng": centroid.x,
        "centroid_lat": centroid.y,
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "area_m2": float(metric.to_metres(geom).area),
    }


def area_to_feature(area: Area) -> AreaFeature:
    return AreaFeature(
        code=area.code,
        name=area.name,
        level=area.level,
        parent_code=area.parent_code,
        geometry=area.boundary,
        kind=area.kind,
        dedicated_type=area.dedicated_type,
        location=area.code,
    )


@dataclass
class ImportOutcome:
    report: Report
    created: int = 0
    updated: int = 0
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = self.report.to_dict()
        data.update(created=self.created, updated=self.updated, written=self.written)
        return data


def _scope_problems(features: Sequence[AreaFeature], allowed: list[str] | None) -> list[Problem]:
    if allowed is None:
        return []
    problems = []
    for f in features:
        if not any(f.code.startswith(d) for d in allowed):
            problems.append(
                Problem(
                    severity=ERROR,
                    kind=OUTSIDE_SCOPE,
                    code=f.code,
                    where=f.location,
                    lng=None,
                    lat=None,
                    message=_(
                        "Area %(code)s is outside the districts you administer; "
                        "you may import only into %(allowed)s."
                    )
                    % {"code": f.code, "allowed": ", ".join(allowed) or "—"},
                )
            )
    return problems


def import_areas(
    *,
    features: Sequence[AreaFeature],
    report: Report | None = None,
    allowed_districts: list[str] | None = None,
    validate_only: bool = False,
    tolerance_m: float | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate ``features`` against what is stored, then write all of them or none.

    ``report`` carries problems already found while reading the file: any error
    there blocks the write too. ``allowed_districts`` limits a district admin to
    their own district codes (None: no limit). Areas are matched by code: a known
    code updates that area, a new one is added under its parent. Nothing is
    deleted. With any error, or ``validate_only``, nothing is written.
    """
    tolerance = settings.SHEZHI_AREA_TOLERANCE_M if tolerance_m is None else tolerance_m
    districts = sorted({f.code[:6] for f in features})
    existing = [area_to_feature(a) for a in _stored_areas(districts)]

    validation = validate_features(
        features,
        existing=existing,
        tolerance_m=tolerance,
        progress=progress,
        # Children of features the reader already rejected: no cascade of unknown_parent.
        dropped_codes=report.codes_with_errors() if report else (),
    )
    full = Report(problems=[*(report.problems if report else []), *validation.problems])
    full.problems.extend(_scope_problems(features, allowed_districts))
    full.counts = validation.counts
    outcome = ImportOutcome(report=full)
    if full.has_errors or validate_only or not features:
        return outcome

    with transaction.atomic():
        # One import writes at a time (a row lock on PostgreSQL; SQLite's IMMEDIATE
        # transactions serialise anyway), and it allocates tree paths from what is
        # stored now, not from what was read before validating.
        BoundaryRevision.objects.get_or_create(pk=1)
        list(BoundaryRevision.objects.select_for_update().filter(pk=1))
        outcome.created, outcome.updated = _write(features, _stored_areas(districts))
        bump_boundary_revision()
    outcome.written = True
    return outcome


def _stored_areas(district_codes: Sequence[str]) -> list[Area]:
    """Every stored area inside the given districts."""
    paths = list(Area.objects.filter(code__in=district_codes).values_list("path", flat=True))
    if not paths:
        return []
    return list(Area.objects.filter(reduce(or_, (subtree_q("path", p) for p in paths))))


def _write(features: Sequence[AreaFeature], existing_areas: list[Area]) -> tuple[int, int]:
    by_code = {a.code: a for a in existing_areas}

    # Highest child step in use per parent path, so new children append after it.
    last_step: dict[str, int] = defaultdict(int)
    for a in existing_areas:
        parent_path = a.path[: -Area.steplen]
        last_step[parent_path] = max(last_step[parent_path], Area._str2int(a.path[-Area.steplen :]))
    if any(f.level == c.DISTRICT and f.code not in by_code for f in features):
        last_root = Area.objects.get_last_root_node()
        if last_root is not None:
            last_step[""] = max(last_step[""], Area._str2int(last_root.path))

    to_create: list[Area] = []
    to_update: list[Area] = []
    new_children: dict[str, int] = defaultdict(int)
    ordered = sorted(features, key=lambda f: (c.LEVEL_INDEX[f.level], f.code))
    for f in ordered:
        fields = dict(
            name=f.name,
            level=f.level,
            kind=f.kind or "",
            dedicated_type=f.dedicated_type or "",
            boundary=f.geometry,
            **derive_geometry_fields(f.geometry),
        )
        area = by_code.get(f.code)
        if area is not None:
            for key, value in fields.items():
                setattr(area, key, value)
            to_update.append(area)
            continue
        parent_path = by_code[f.parent_code].path if f.parent_code else ""
        last_step[parent_path] += 1
        depth = len(parent_path) // Area.steplen + 1
        area = Area(
            code=f.code,
            path=Area._get_path(parent_path, depth, last_step[parent_path]),
            depth=depth,
            numchild=0,
            **fields,
        )
        by_code[f.code] = area
        new_children[parent_path] += 1
        to_create.append(area)

    for area in to_create:
        area.numchild = new_children.get(area.path, 0)
    Area.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Area.objects.bulk_update(
            to_update,
            ["name", "kind", "dedicated_type", "boundary", *Area.DERIVED_FIELDS],
            batch_size=500,
        )
    grown = [a for a in existing_areas if new_children.get(a.path)]
    for a in grown:
        a.numchild += new_children[a.path]
    if grown:
        Area.objects.bulk_update(grown, ["numchild"], batch_size=500)
    return len(to_create), len(to_update)


def export_features(*, areas: Iterable[Area]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection that ``import_areas`` takes back identically."""
    return {
        "type": "FeatureCollection",
        "features": [area_to_feature(a).to_geojson() for a in areas],
    }


def dump_feature_collection(collection: dict[str, Any]) -> str:
    # One feature per line: diff-friendly for GIS staff, still plain GeoJSON.
    features = ",\n".join(
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    )
    return '{"type":"FeatureCollection","features":[\n' + features + "\n]}\n"


class ImportRefused(jobs.UploadRefused):
    """The upload was refused before anything was stored (message is for the user)."""


def start_area_import(*, actor, uploaded_file, validate_only: bool = False) -> AreaImport:
    """Store an uploaded area file and queue its import for the background worker.

    The worker validates and writes (or not) and leaves the report on the
    ``AreaImport`` row, which the import page shows.
    """
    if not permissions.can(actor, "import"):
        raise ImportRefused(_("Only district administrators may import areas."))
    name = jobs.upload_name(
        uploaded_file,
        limit=settings.SHEZHI_AREA_IMPORT_MAX_BYTES,
        suffixes=dict.fromkeys(
            (".geojson", ".json", ".zip"),
            _("%(name)s is neither GeoJSON (.geojson, .json) nor a zipped shapefile (.zip)."),
        ),
        refused=ImportRefused,
    )
    from .tasks import run_area_import  # tasks imports this module

    return jobs.start(
        AreaImport,
        run_area_import,
        created_by=actor,
        file=jobs.store_upload(uploaded_file, name=name, sealed=False),
        original_name=name,
        validate_only=validate_only,
    )


def _import_districts(actor) -> list[str] | None:
    """Codes of the districts ``actor`` may import into; None: any."""
    # Fresh: the worker runs the import some time after the upload.
    held = permissions.scope_areas(actor, "import", fresh=True)
    return None if held is None else [a.code for a in held]


def _run_area_import(job: AreaImport, progress) -> tuple[str, dict]:
    from .files import read_area_bytes

    data = jobs.read_upload(job)
    features, read_report = read_area_bytes(
        data, filename=job.original_name, max_bytes=settings.SHEZHI_AREA_IMPORT_MAX_BYTES
    )
    outcome = import_areas(
        features=features,
        report=read_report,
        allowed_districts=_import_districts(job.created_by),
        validate_only=job.validate_only,
        progress=progress,
    )
    if outcome.report.has_errors:
        status = AreaImport.Status.REJECTED
    elif outcome.written:
        status = AreaImport.Status.IMPORTED
    else:
        status = AreaImport.Status.VALIDATED
    return status, outcome.to_dict()


def _area_import_failed(exc: Exception) -> dict:
    return {
        "errors": [{"kind": INTERNAL_ERROR, "message": str(exc), "severity": ERROR}],
        "warnings": [],
    }


def run_import_job(import_id: int) -> AreaImport:
    """The worker's side of ``start_area_import``: validate, write or not, report."""
    return jobs.run(AreaImport, import_id, work=_run_area_import, failed=_area_import_failed)
