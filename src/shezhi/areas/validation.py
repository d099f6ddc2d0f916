"""Checking that an import's areas fit together as one territory.

The file's features are checked with the areas already in the database around
them (``existing``): a file feature replaces the existing area with its code,
parents may already exist, and siblings already imported count for overlaps
and coverage. Only problems involving at least one of the file's features are
reported: flaws of the existing data are not this file's fault.

Geometry is done in metres (``LocalMetric``) and vectorised with shapely, so a
whole district of a few thousand polygons takes a few seconds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape as to_shape

from . import constants as c
from . import report as r
from .features import AreaFeature
from .geo.metric import LocalMetric
from .report import Report

# Geometric remnants smaller than this (m²) are floating-point noise.
NOISE_M2 = 1e-3

Progress = Callable[[int, int], None]

_REASON_RE = re.compile(r"^(?P<text>[^\[]*?)\s*\[(?P<x>[-+\d.eE]+)\s+(?P<y>[-+\d.eE]+)")


def _level_name(level: str) -> str:
    return {
        c.DISTRICT: _("district"),
        c.STREET: _("street"),
        c.COMMUNITY: _("community"),
        c.GENERAL_GRID: _("general grid"),
        c.MICRO_GRID: _("micro-grid"),
    }.get(level, level)


def _geos_reason(text: str) -> str:
    """GEOS's validity reason in words people can act on (and translate)."""
    return {
        "Self-intersection": _("its boundary crosses itself"),
        "Ring Self-intersection": _("a ring touches itself"),
        "Hole lies outside shell": _("a hole lies outside its polygon"),
        "Nested holes": _("a hole lies inside another hole"),
        "Interior is disconnected": _("its holes cut the polygon into pieces"),
        "Nested shells": _("one of its polygons lies inside another"),
        "Duplicate Rings": _("a ring is repeated"),
        "Too few points": _("a ring has too few distinct points"),
        "Invalid Coordinate": _("a coordinate is not a number"),
        "Ring is not closed": _("a ring is not closed"),
    }.get(text, text)


def _who(f: AreaFeature) -> str:
    if f.name:
        return _("%(code)s “%(name)s”") % {"code": f.code, "name": f.name}
    return f.code


@dataclass
class _Node:
    feature: AreaFeature
    in_file: bool
    geom: object = None  # WGS84 shapely geometry, None when unusable
    parent: int | None = None  # index of the parent node


class _Progress:
    """Calls ``progress(done, total)`` at most about a hundred times."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback = callback
        self.total = max(total, 1)
        self.done = 0
        self._step = max(self.total // 100, 1)
        self._last = -self._step

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if self.callback and (self.done - self._last >= self._step or self.done == self.total):
            self._last = self.done
            self.callback(self.done, self.total)


def validate_features(
    features: Iterable[AreaFeature],
    *,
    existing: Iterable[AreaFeature] = (),
    tolerance_m: float = 1.0,
    progress: Progress | None = None,
    dropped_codes: Iterable[str] = (),
) -> Report:
    """Checks the file's ``features`` as one territory together with ``existing``.

    ``dropped_codes`` are codes the reader reported and left out (see
    ``Report.codes_with_errors``): their children are not also reported as
    having an unknown parent.
    """
    report = Report()
    features = list(features)
    report.count_features(features)
    tol = float(tolerance_m)
    dropped = set(dropped_codes)

    # Duplicates: the first occurrence stands for the code in the other checks.
    first: dict[str, AreaFeature] = {}
    for f in features:
        if f.code in first:
            other = first[f.code]
            report.error(
                r.DUPLICATE_CODE,
                _("%(feature)s: the code %(code)s is used again; %(other_where)s already has it.")
                % {"feature": _who(f), "code": f.code, "other_where": other.location},
                code=f.code,
                where=f.location,
                data={"other_where": other.location, "other_name": other.name},
            )
        else:
            first[f.code] = f

    # Existing areas that matter: the file's parents, their other children
    # (siblings) and the existing children of areas the file replaces.
    file_codes = set(first)
    parent_codes = {f.parent_code for f in first.values() if f.parent_code}
    context = []
    for e in existing:
        if e.code in file_codes:
            continue  # replaced by the file's version
        if e.code in parent_codes or e.parent_code in parent_codes or e.parent_code in file_codes:
            context.append(e)

    nodes = [_Node(f, True) for f in first.values()] + [_Node(e, False) for e in context]
    index = {n.feature.code: i for i, n in enumerate(nodes)}

    # Hierarchy, which needs no geometry.
    children: dict[int, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        f = node.feature
        if f.level == c.DISTRICT:
            continue
        j = index.get(f.parent_code) if f.parent_code else None
        if j is not None:
            node.parent = j
            children[j].append(i)
        if node.in_file:
            _check_parent(report, f, nodes[j].feature if j is not None else None, dropped)

    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        f = node.feature
        groups[(f.parent_code, f.level, f.kind)].append(i)
    sibling_groups = [g for g in groups.values() if len(g) > 1 and any(nodes[i].in_file for i in g)]
    child_pairs = [
        (i, n.parent)
        for i, n in enumerate(nodes)
        if n.parent is not None and (n.in_file or nodes[n.parent].in_file)
    ]
    covered = [j for j in children if _involved_in_coverage(nodes, j, children[j])]

    step = _Progress(progress, len(nodes) + len(child_pairs) + len(sibling_groups) + len(covered))

    _build_geometries(report, nodes, step)
    usable = [i for i, n in enumerate(nodes) if n.geom is not None]
    if not usable:
        step.advance(step.total)
        return report
    metric = LocalMetric.around([nodes[i].geom for i in usable])
    metres = np.full(len(nodes), None, dtype=object)
    metres[usable] = metric.to_metres(np.array([nodes[i].geom for i in usable], dtype=object))

    _check_containment(report, nodes, metres, metric, child_pairs, tol)
    step.advance(len(child_pairs))
    _check_overlaps(report, nodes, metres, metric, sibling_groups, tol, step)
    _check_coverage(report, nodes, metres, metric, children, covered, tol, step)
    return report


def _check_parent(
    report: Report, f: AreaFeature, parent: AreaFeature | None, dropped: set[str]
) -> None:
    if (
        parent is not None
        and c.child_level(parent.level) == f.level
        and f.code.startswith(f.parent_code or "")
    ):
        return  # the usual case, kept cheap
    who = _who(f)
    if f.parent_code and not f.code.startswith(f.parent_code):
        report.error(
            r.PARENT_CODE_MISMATCH,
            _(
                "%(feature)s: its code does not start with its parent's code %(parent)s; "
                "a child's code is its parent's code followed by three digits."
            )
            % {"feature": who, "parent": f.parent_code},
            code=f.code,
            where=f.location,
            data={"parent_code": f.parent_code},
        )
    if not f.parent_code:
        report.error(
            r.LEVEL_OUT_OF_ORDER,
            _("%(feature)s is a %(level)s without a parent; only a district can be at the top.")
            % {"feature": who, "level": _level_name(f.level)},
            code=f.code,
            where=f.location,
            data={"level": f.level},
        )
    elif parent is None:
        if f.parent_code not in dropped:  # else its parent's own error says enough
            report.error(
                r.UNKNOWN_PARENT,
                _("%(feature)s: its parent %(parent)s is neither in the file nor already imported.")
                % {"feature": who, "parent": f.parent_code},
                code=f.code,
                where=f.location,
                data={"parent_code": f.parent_code},
            )
    elif c.child_level(parent.level) != f.level:
        expected = c.child_level(parent.level)
        report.error(
            r.LEVEL_OUT_OF_ORDER,
            (
                _(
                    "%(feature)s is a %(level)s, but its parent %(parent)s is a "
                    "%(parent_level)s, whose children are %(expected)s."
                )
                if expected
                else _(
                    "%(feature)s is a %(level)s, but its parent %(parent)s is a "
                    "%(parent_level)s, which has no children."
                )
            )
            % {
                "feature": who,
                "level": _level_name(f.level),
                "parent": _who(parent),
                "parent_level": _level_name(parent.level),
                "expected": _children_name(parent.level),
            },
            code=f.code,
            where=f.location,
            data={"level": f.level, "parent_code": parent.code, "parent_level": parent.level},
        )


def _involved_in_coverage(nodes: list[_Node], j: int, kids: list[int]) -> bool:
    if nodes[j].in_file:
        return True
    return any(nodes[i].in_file and nodes[i].feature.kind != c.KIND_DEDICATED for i in kids)


def _build_geometries(report: Report, nodes: list[_Node], step: _Progress) -> None:
    for node in nodes:
        f = node.feature
        try:
            node.geom = to_shape(f.geometry)
        except Exception as e:  # shapely raises assorted errors on malformed input
            node.geom = None
            if node.in_file:
                report.error(
                    r.INVALID_GEOMETRY,
                    _("%(feature)s has an unusable geometry: %(reason)s.")
                    % {"feature": _who(f), "reason": e},
                    code=f.code,
                    where=f.location,
                    data={"reason": str(e)},
                )
        step.advance()
    built = [i for i, n in enumerate(nodes) if n.geom is not None]
    if not built:
        return
    geoms = np.array([nodes[i].geom for i in built], dtype=object)
    reasons = shapely.is_valid_reason(geoms)
    empty = shapely.is_empty(geoms)
    for k, i in enumerate(built):
        node = nodes[i]
        if reasons[k] == "Valid Geometry" and not empty[k]:
            continue
        if not node.in_file:
            # Existing data stays usable for the file's checks, repaired.
            node.geom = shapely.make_valid(node.geom) if not empty[k] else None
            continue
        f = node.feature
        raw = "Empty" if empty[k] else str(reasons[k])
        match = _REASON_RE.match(raw)
        if match:
            text, lng, lat = match["text"], float(match["x"]), float(match["y"])
        else:
            text = raw
            lng = lat = None
            if not empty[k]:
                p = shapely.point_on_surface(shapely.make_valid(node.geom))
                if not p.is_empty:
                    lng, lat = p.x, p.y
        where_text = _(" at %(lng).6f, %(lat).6f") % {"lng": lng, "lat": lat} if match else ""
        report.error(
            r.INVALID_GEOMETRY,
            _("%(feature)s has an invalid geometry: %(reason)s%(at)s.")
            % {
                "feature": _who(f),
                "reason": _("it is empty") if empty[k] else _geos_reason(text),
                "at": where_text,
            },
            code=f.code,
            where=f.location,
            lng=lng,
            lat=lat,
            data={"reason": raw},
        )
        node.geom = None


def _to_lnglat(metric: LocalMetric, point) -> tuple[float | None, float | None]:
    if point is None or point.is_empty:
        return None, None
    p = metric.to_wgs84(point)
    return float(p.x), float(p.y)


def _true_extent(raw, detected) -> tuple[np.ndarray, float]:
    """The parts of ``raw`` (an exact excess or gap) that meet ``detected`` (the
    same found with the tolerance), and their area: the figure people can check
    on a map, without the slivers along seams that the tolerance forgives."""
    found = shapely.get_parts(detected)
    found = found[shapely.area(found) > NOISE_M2]
    parts = shapely.get_parts(raw)
    parts = parts[shapely.area(parts) > NOISE_M2]
    if not len(found) or not len(parts):
        return found, float(shapely.area(found).sum())
    hit = np.unique(shapely.STRtree(found).query(parts, predicate="intersects")[0])
    parts = parts[hit] if len(hit) else found
    return parts, float(shapely.area(parts).sum())


def _check_containment(
    report: Report,
    nodes: list[_Node],
    metres: np.ndarray,
    metric: LocalMetric,
    pairs: list[tuple[int, int]],
    tol: float,
) -> None:
    pairs = [(i, j) for i, j in pairs if metres[i] is not None and metres[j] is not None]
    if not pairs:
        return
    child_idx = np.array([i for i, _j in pairs])
    parent_idx = np.array([j for _i, j in pairs])
    parents = np.unique(parent_idx)
    buffered = np.full(len(nodes), None, dtype=object)
    buffered[parents] = shapely.buffer(metres[parents], tol)
    shapely.prepare(buffered[parents])
    inside = shapely.covers(buffered[parent_idx], metres[child_idx])
    for k in np.flatnonzero(~inside):
        i, j = int(child_idx[k]), int(parent_idx[k])
        excess = shapely.difference(metres[i], buffered[j])
        if shapely.area(excess) <= NOISE_M2:
            continue
        area = _true_extent(shapely.difference(metres[i], metres[j]), excess)[1]
        # The farthest point outside says by how much the boundary is off.
        pts = shapely.points(shapely.get_coordinates(excess))
        dist = shapely.distance(pts, metres[j])
        far = int(np.argmax(dist))
        lng, lat = _to_lnglat(metric, pts[far])
        child, parent = nodes[i].feature, nodes[j].feature
        blamed = child if nodes[i].in_file else parent
        report.error(
            r.NOT_INSIDE_PARENT,
            (
                _(
                    "%(feature)s is not inside its parent %(parent)s: it reaches "
                    "%(metres).1f m outside, %(area).1f m² in all."
                )
                if nodes[i].in_file
                else _(
                    "%(parent)s no longer contains its already imported child %(feature)s, "
                    "which reaches %(metres).1f m outside it, %(area).1f m² in all."
                )
            )
            % {
                "feature": _who(child),
                "parent": _who(parent),
                "metres": float(dist[far]),
                "area": area,
            },
            code=blamed.code,
            where=blamed.location,
            lng=lng,
            lat=lat,
            data={
                "outside_m2": round(area, 2),
                "outside_m": round(float(dist[far]), 2),
                "child_code": child.code,
                "parent_code": parent.code,
            },
        )


def _check_overlaps(
    report: Report,
    nodes: list[_Node],
    metres: np.ndarray,
    metric: LocalMetric,
    groups: list[list[int]],
    tol: float,
    step: _Progress,
) -> None:
    in_file = np.array([n.in_file for n in nodes], dtype=bool)
    a_idx: list[int] = []
    b_idx: list[int] = []
    for group in groups:
        members = np.array([i for i in group if metres[i] is not None], dtype=int)
        if len(members) > 1:
            tree = shapely.STRtree(metres[members])
            left, right = tree.query(metres[members], predicate="intersects")
            keep = left < right
            a = members[left[keep]]
            b = members[right[keep]]
            involved = in_file[a] | in_file[b]
            a_idx += a[involved].tolist()
            b_idx += b[involved].tolist()
        step.advance()
    if not a_idx:
        return
    a_arr, b_arr = np.array(a_idx), np.array(b_idx)
    # Neighbours sharing an edge touch without overlapping: skip the costly overlay.
    maybe = ~shapely.touches(metres[a_arr], metres[b_arr])
    a_arr, b_arr = a_arr[maybe], b_arr[maybe]
    if not len(a_arr):
        return
    inter = shapely.intersection(metres[a_arr], metres[b_arr])
    core = shapely.buffer(inter, -tol / 2.0) if tol > 0 else inter
    areas = shapely.area(inter)
    significant = ~shapely.is_empty(core) & (shapely.area(core) > NOISE_M2)
    for k in np.flatnonzero(significant):
        i, j = int(a_arr[k]), int(b_arr[k])
        if not nodes[i].in_file:
            i, j = j, i  # name the file's feature first
        f, other = nodes[i].feature, nodes[j].feature
        lng, lat = _to_lnglat(metric, shapely.point_on_surface(core[k]))
        area = float(areas[k])
        where = f.location
        if nodes[j].in_file:
            where = _("%(where)s and %(other)s") % {"where": f.location, "other": other.location}
        report.error(
            r.SIBLING_OVERLAP,
            (
                _("%(feature)s overlaps its sibling %(other)s by %(area).1f m².")
                if nodes[j].in_file
                else _(
                    "%(feature)s overlaps its already imported sibling %(other)s by %(area).1f m²."
                )
            )
            % {"feature": _who(f), "other": _who(other), "area": area},
            code=f.code,
            where=where,
            lng=lng,
            lat=lat,
            data={
                "overlap_m2": round(area, 2),
                "other_code": other.code,
                "other_where": other.location if nodes[j].in_file else "",
            },
        )


def _check_coverage(
    report: Report,
    nodes: list[_Node],
    metres: np.ndarray,
    metric: LocalMetric,
    children: dict[int, list[int]],
    parents: list[int],
    tol: float,
    step: _Progress,
) -> None:
    for j in parents:
        step.advance()
        parent = nodes[j]
        kids = [i for i in children[j] if nodes[i].feature.kind != c.KIND_DEDICATED]
        # A child with a broken geometry would show as a gap: its error is enough.
        if metres[j] is None or any(metres[i] is None for i in kids):
            continue
        kid_geoms = metres[kids] if kids else np.array([], dtype=object)
        if kids:
            grown = shapely.union_all(shapely.buffer(kid_geoms, tol)) if tol > 0 else None
            union = shapely.union_all(kid_geoms)
            detected = shapely.difference(metres[j], grown if grown is not None else union)
        else:
            union = None
            detected = metres[j]
        if shapely.area(detected) <= NOISE_M2:
            continue
        true_gap = metres[j] if union is None else shapely.difference(metres[j], union)
        parts, gap = _true_extent(true_gap, detected)
        if not len(parts):
            continue
        part_areas = shapely.area(parts)
        biggest = parts[int(np.argmax(part_areas))]
        lng, lat = _to_lnglat(metric, shapely.point_on_surface(biggest))
        total = float(shapely.area(metres[j]))
        f = parent.feature
        report.warning(
            r.COVERAGE_GAP,
            _(
                "%(feature)s is not fully covered by its %(children)s: %(area).1f m² "
                "(%(share).1f%%) in %(parts)d place(s) belong to none of them."
            )
            % {
                "feature": _who(f),
                "children": _children_name(f.level),
                "area": gap,
                "share": 100.0 * gap / total if total else 0.0,
                "parts": len(parts),
            },
            code=f.code,
            where=f.location if parent.in_file else _("already imported"),
            lng=lng,
            lat=lat,
            data={
                "gap_m2": round(gap, 2),
                "parts": len(parts),
                "largest_gap_m2": round(float(part_areas.max()), 2),
                "children": len(kids),
            },
        )


def _children_name(level: str) -> str:
    return {
        c.DISTRICT: _("streets"),
        c.STREET: _("communities"),
        c.COMMUNITY: _("general grids"),
        c.GENERAL_GRID: _("general micro-grids"),
    }.get(level, _("children"))


__all__ = ["validate_features"]
