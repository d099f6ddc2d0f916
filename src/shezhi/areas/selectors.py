"""Every read of areas that lists, searches or counts, in the user's scope (``permissions``)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shezhi.core.lists import subtree_q
from shezhi.core.scope import top_areas

from . import constants as c
from . import permissions
from .models import Area, AreaImport


def visible_areas(user) -> QuerySet[Area]:
    qs = Area.objects.all()
    q = permissions.scope(user, "view")
    return qs if q is None else qs.filter(q)


def root_areas(user) -> list[Area]:
    """Where the user's area browser starts: districts for an admin, else their role areas."""
    held = permissions.scope_areas(user, "view")
    if held is None:
        return list(Area.objects.get_root_nodes().defer("boundary"))
    return top_areas(held)


def get_area(user, code: str) -> Area:
    """One area by code, or 404 when it does not exist or is outside the user's scope."""
    area = visible_areas(user).filter(code=code).first()
    if area is None:
        raise Http404("No such area.")
    return area


def children(user, area: Area) -> QuerySet[Area]:
    return (
        visible_areas(user)
        .filter(subtree_q("path", area.path), depth=area.depth + 1)
        .order_by("path")
    )


def ancestors(area: Area) -> list[Area]:
    """From the root down to the area's parent (for breadcrumbs)."""
    steps = [area.path[: i * Area.steplen] for i in range(1, area.depth)]
    by_path = {a.path: a for a in Area.objects.filter(path__in=steps).defer("boundary")}
    return [by_path[p] for p in steps if p in by_path]


def search(
    user,
    *,
    q: str = "",
    level: str = "",
    kind: str = "",
    dedicated_type: str = "",
    within: Area | None = None,
) -> QuerySet[Area]:
    qs = visible_areas(user)
    if within is not None:
        qs = qs.filter(subtree_q("path", within.path))
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if dedicated_type:
        qs = qs.filter(dedicated_type=dedicated_type)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def level_counts(area: Area) -> dict[str, int]:
    """How many areas of each level (micro-grids split by kind) lie inside ``area``."""
    rows = (
        Area.objects.filter(subtree_q("path", area.path), depth__gt=area.depth)
        .order_by()  # drop the tree's default ordering, or GROUP BY would include path
        .values("level", "kind")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(c.LEVELS[c.LEVEL_INDEX[area.level] + 1 :], 0)
    for row in rows:
        counts[row["level"]] = counts.get(row["level"], 0) + row["n"]
        if row["level"] == c.MICRO_GRID:
            key = f"micro_grid_{row['kind']}"
            counts[key] = counts.get(key, 0) + row["n"]
    if c.MICRO_GRID in counts:
        counts.setdefault("micro_grid_general", 0)
        counts.setdefault("micro_grid_dedicated", 0)
    return counts


def area_imports(user) -> QuerySet[AreaImport]:
    """Imports the user may read: their own; a superuser reads all."""
    qs = AreaImport.objects.select_related("created_by").order_by("-created_at")
    q = permissions.scope(user, "view_import")
    return qs if q is None else qs.filter(q)
