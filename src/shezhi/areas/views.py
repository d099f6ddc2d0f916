"""The area browser: the user's part of the territory as a tree and a map."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import constants as c
from . import selectors
from .models import Area

SEARCH_LIMIT = 50

# Placeholder the browser's JS swaps for an area's code in URL templates.
CODE_SLOT = "__code__"


def _count_rows(counts: dict[str, int]) -> list[dict]:
    """The per-level counts inside an area, in tree order, labelled for display."""
    labels = {
        c.STREET: _("Streets"),
        c.COMMUNITY: _("Communities"),
        c.GENERAL_GRID: _("General grids"),
        c.MICRO_GRID: _("Micro-grids"),
    }
    rows = []
    for level in c.LEVELS:
        if level not in counts:
            continue
        row = {"key": level, "label": labels[level], "n": counts[level], "parts": []}
        if level == c.MICRO_GRID:
            row["parts"] = [
                {
                    "key": "micro_grid_general",
                    "label": _("general"),
                    "n": counts.get("micro_grid_general", 0),
                },
                {
                    "key": "micro_grid_dedicated",
                    "label": _("dedicated"),
                    "n": counts.get("micro_grid_dedicated", 0),
                },
            ]
        rows.append(row)
    return rows


def _browser_js_config() -> dict[str, str]:
    """URL templates and words the browser's JS needs, passed as data- attributes."""
    return {
        "children_url": reverse("api:area_children", kwargs={"code": CODE_SLOT}),
        "area_url": reverse("areas:area", kwargs={"code": CODE_SLOT}),
        "i18n": json.dumps(
            {
                "levels": {value: str(label) for value, label in Area.Level.choices},
                "dedicated_types": {
                    value: str(label) for value, label in Area.DedicatedType.choices
                },
                "subareas_one": ngettext("%(n)s sub-area", "%(n)s sub-areas", 1),
                "subareas_other": ngettext("%(n)s sub-area", "%(n)s sub-areas", 2),
                "expand": _("Show what is inside %(name)s"),
                "collapse": _("Hide what is inside %(name)s"),
                "loading": _("Loading…"),
                "load_failed": _("Could not load. Check your connection and try again."),
                "empty": _("Nothing inside."),
                "dedicated": _("Dedicated"),
            },
            ensure_ascii=False,
        ),
    }


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "areas/not_found.html", status=404)


@login_required
def browser(request: HttpRequest) -> HttpResponse:
    """The user's top areas, or search results for ``?q=``.

    With exactly one top area and no search, go straight to it.
    """
    q = request.GET.get("q", "").strip()[:100]
    roots = selectors.root_areas(request.user)
    if not q and len(roots) == 1:
        return redirect("areas:area", code=roots[0].code)
    results = None
    more = False
    if q:
        found = list(selectors.search(request.user, q=q).defer("boundary")[: SEARCH_LIMIT + 1])
        more = len(found) > SEARCH_LIMIT
        results = found[:SEARCH_LIMIT]
    return render(
        request,
        "areas/browser.html",
        {
            "q": q,
            "roots": roots,
            "results": results,
            "more": more,
            "search_limit": SEARCH_LIMIT,
        },
    )


@login_required
def area(request: HttpRequest, code: str) -> HttpResponse:
    """One area: where it sits, what it contains, its children as a tree and on a map."""
    try:
        current = selectors.get_area(request.user, code)
    except Http404:
        return _not_found(request)
    ancestors = selectors.ancestors(current)
    in_scope = set(
        selectors.visible_areas(request.user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    children = list(selectors.children(request.user, current).defer("boundary"))
    counts = selectors.level_counts(current)
    km2 = current.area_m2 / 1_000_000
    return render(
        request,
        "areas/area.html",
        {
            "area": current,
            "crumbs": [{"area": a, "linked": a.pk in in_scope} for a in ancestors],
            "children": children,
            "count_rows": _count_rows(counts),
            "area_km2": km2,
            "area_km2_digits": 2 if km2 >= 1 else 3,
            "child_level": c.child_level(current.level),
            "boundaries_url": reverse("api:children_boundaries", kwargs={"code": current.code})
            if children
            else "",
            "boundary_url": reverse("api:area_boundary", kwargs={"code": current.code}),
            **_browser_js_config(),
        },
    )
