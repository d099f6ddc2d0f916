"""The command dashboard (驾驶舱): a page shell, the data its script draws, the wall mode.

The page itself does little on the server (the area, the period, the
breadcrumbs); its script fetches ``data.json``, which reads only the cached
KPIs (``kpis.area_kpis``), the rollup-based selectors and two bounded lists
of open events. Every route answers 404 for an area outside the user's
statistics scope (``selectors.get_statistics_area``).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shezhi.areas import constants as c
from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.areas.selectors import ancestors
from shezhi.core.names import local_name
from shezhi.core.periods import Period
from shezhi.people.models import Person

from . import coverage as visit_coverage
from . import participation as taking_part
from . import project_figures, selectors
from .kpis import DEFINITIONS, INVERTED, Kpis, area_kpis

# Placeholder the script swaps for an area's code (drill-down links).
CODE_SLOT = "__code__"
# KPIs the map can colour the children by; the first is the default.
MAP_KPIS = (
    "score",
    "completion_rate",
    "on_time_rate",
    "satisfaction_rate",
    "overdue_rate",
    "response_rate",
    "rework_rate",
    "in_grid_rate",
    "reported",
)
WALL_REFRESH_SECONDS = 60


# ---------------------------------------------------------------------------
# The period


def presets(today: date, named=()) -> list[dict]:
    """This month, last month, this year, then the area's named periods (``named``:
    ``selectors.reporting_periods``): each as the ``from``/``to`` it stands for."""
    month_start = today.replace(day=1)
    last_end = month_start - timedelta(days=1)
    extra = [
        {"key": f"named-{r.pk}", "label": r.label, "from": r.start, "to": r.last}
        for r in named
        if r.start <= today
    ]
    return [
        {"key": "month", "label": _("This month"), "from": month_start, "to": today},
        {
            "key": "last_month",
            "label": _("Last month"),
            "from": last_end.replace(day=1),
            "to": last_end,
        },
        {
            "key": "year",
            "label": _("This year"),
            "from": today.replace(month=1, day=1),
            "to": today,
        },
        *extra,
    ]


def period_of(request: HttpRequest, today: date, named=()) -> Period:
    """``from``/``to`` from the query (``to`` inclusive); neither: the area's default named
    period (``named``: ``selectors.reporting_periods``) if it has one, else this month so far.

    Raises ValueError with ``Period.of``'s message for a bad date or range.
    """
    start = request.GET.get("from", "").strip()
    end = request.GET.get("to", "").strip()
    if not start and not end:
        for r in named:
            if r.is_default and r.start <= today:
                return Period.of(r.start, min(r.last, today), today=today)
        return Period.of(today.replace(day=1), today, today=today)
    return Period.of(start, end, today=today)


def _map_kpi(request: HttpRequest) -> str:
    value = request.GET.get("kpi", "")
    return value if value in MAP_KPIS else MAP_KPIS[0]


def _query(period: Period | None, kpi: str | None = None) -> str:
    params = {}
    if period is not None:
        params = {"from": period.start.isoformat(), "to": period.last.isoformat()}
    if kpi and kpi != MAP_KPIS[0]:
        params["kpi"] = kpi
    return ("?" + urlencode(params)) if params else ""


def _bad_period(exc: ValueError) -> JsonResponse:
    return JsonResponse(
        {"detail": str(exc), "code": "bad_input", "field": "period"},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------------------
# Pages


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's own top area; 404 for anyone without statistics."""
    area = selectors.top_statistics_area(request.user)
    if area is None:
        raise Http404("No statistics.")
    return redirect("stats:dashboard", code=area.code)


def _crumbs(user, area: Area) -> list[dict]:
    above = ancestors(area)
    readable = set(
        selectors.statistics_areas(user)
        .filter(pk__in=[a.pk for a in above])
        .values_list("pk", flat=True)
    )
    return [{"area": a, "linked": a.pk in readable} for a in above]


def _words() -> str:
    """The words the script puts on the page, in the current language."""
    return json.dumps(
        {
            "nothing": _("Nothing to judge"),
            "loading": _("Loading…"),
            "load_failed": _("Could not load the figures. They will be tried again."),
            "no_children": _("Nothing below this area."),
            "no_events": _("None."),
            "more": _("%(shown)s of %(total)s shown"),
            "overdue_by": _("overdue by %(time)s"),
            "left": _("%(time)s left"),
            "minutes": _("%(n)s min"),
            "hours": _("%(h)s h %(m)s min"),
            "days": _("%(d)s d %(h)s h"),
            "reported": str(DEFINITIONS["reported"][0]),
            "handled": str(DEFINITIONS["handled"][0]),
            "closed": str(DEFINITIONS["closed"][0]),
            "completion_rate": str(DEFINITIONS["completion_rate"][0]),
            "satisfaction_rate": str(DEFINITIONS["satisfaction_rate"][0]),
            "score": str(DEFINITIONS["score"][0]),
            "events": _("Events"),
            "density": _("Events reported per cell"),
            "density_micro_grid": _("Events reported per cell, each at its micro-grid's centre"),
            "no_density": _("No events reported in this period."),
            "updated": _("Updated %(time)s"),
            "unassigned": _("On the area itself, in none of its parts"),
            "dedicated": _("incl. %(n)s dedicated"),
        },
        ensure_ascii=False,
    )


def _map_kpi_choices() -> list[dict]:
    return [
        {
            "name": name,
            "label": str(DEFINITIONS[name][0]),
            "inverted": name in INVERTED,
            "count": not (name.endswith("_rate") or name == "score"),
        }
        for name in MAP_KPIS
    ]


def _shell_context(request: HttpRequest, area: Area, *, wall: bool) -> tuple[dict, int]:
    """What the page and the wall render; the status is 400 for a bad period."""
    today = timezone.localdate()
    named = selectors.reporting_periods(area)
    error = ""
    period = None
    try:
        period = period_of(request, today, named)
    except ValueError as exc:
        error = str(exc)
    kpi = _map_kpi(request)
    query = _query(period, kpi)
    has_children = area.numchild > 0
    choices = _map_kpi_choices()
    active_preset = ""
    preset_rows = []
    for p in presets(today, named):
        if period and (p["from"], p["to"]) == (period.start, period.last):
            active_preset = p["key"]
        preset_rows.append({**p, "query": _query(Period.of(p["from"], p["to"], today=today), kpi)})
    context = {
        "area": area,
        "period": period,
        "error": error,
        "kpi": kpi,
        "query": query,
        "kpi_choices": choices,
        "presets": preset_rows,
        "active_preset": active_preset,
        "custom_from": period.start.isoformat() if period else request.GET.get("from", "")[:20],
        "custom_to": period.last.isoformat() if period else request.GET.get("to", "")[:20],
        "data_url": reverse("stats:data", kwargs={"code": area.code}) + query,
        "heat_url": reverse("stats:heat", kwargs={"code": area.code}) + query,
        "boundaries_url": reverse("api:children_boundaries", kwargs={"code": area.code})
        if has_children
        else "",
        "boundary_url": reverse("api:area_boundary", kwargs={"code": area.code}),
        "dashboard_url": reverse("stats:dashboard", kwargs={"code": CODE_SLOT}),
        "page_url": reverse("stats:dashboard", kwargs={"code": area.code}) + query,
        "wall_url": reverse("stats:wall", kwargs={"code": area.code}) + query,
        "has_children": has_children,
        "definitions": [
            {"name": name, "label": label, "formula": formula}
            for name, (label, formula) in DEFINITIONS.items()
        ],
        # One label per KPI definition, wherever the figure is shown.
        "labels": {name: label for name, (label, _formula) in DEFINITIONS.items()},
        "formulas": {name: formula for name, (_label, formula) in DEFINITIONS.items()},
        "words": _words(),
        "kpi_choices_json": json.dumps(choices, ensure_ascii=False),
    }
    if wall:
        try:
            refresh = int(request.GET.get("refresh", WALL_REFRESH_SECONDS))
        except ValueError:
            refresh = WALL_REFRESH_SECONDS
        context["refresh_seconds"] = min(max(refresh, 1), 3600)
    else:
        context["crumbs"] = _crumbs(request.user, area)
    return context, 400 if error else 200


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """The dashboard of one area; its figures come from ``data.json``."""
    area = selectors.get_statistics_area(request.user, code)
    context, status = _shell_context(request, area, wall=False)
    context["coverage"] = _coverage_context(request.user, area)
    if context["period"] is not None:
        context["taking_part"] = _taking_part_context(request.user, area, context["period"])
        context["projects"] = _projects_context(area, context["period"])
    return render(request, "stats/dashboard.html", context, status=status)


def _taking_part_context(user, area: Area, period: Period) -> dict:
    """Residents taking part over the dashboard's period (``stats.participation``)."""
    children = list(area_selectors.children(user, area).defer("boundary"))
    whole = taking_part.area_taking_part(area, period)
    return {
        "label": taking_part.LABEL,
        "formula": taking_part.FORMULA,
        "total": whole.total,
        "ways": [{"label": taking_part.WAYS(w).label, "n": n} for w, n in whole.by_way.items()],
        "children": [
            {"area": child, "n": n}
            for child, n in taking_part.children_taking_part(children, period)
        ],
    }


def _projects_context(area: Area, period: Period) -> dict:
    """Micro-project figures over the dashboard's period (``stats.project_figures``)."""
    figures = project_figures.area_project_figures(area, period)
    d = project_figures.DEFINITIONS
    return {
        "label": d[project_figures.BY_STAGE][0],
        "total": figures.projects,
        "stages": [
            {"label": project_figures.STAGES(s).label, "n": n} for s, n in figures.by_stage.items()
        ],
        "money": [
            {"label": d[name][0], "value": project_figures.yuan(v), "formula": d[name][1]}
            for name, v in (
                (project_figures.RAISED, figures.raised),
                (project_figures.SUPPORT, figures.support),
            )
        ],
        "taking_part_label": d[project_figures.TAKING_PART][0],
        "taking_part": figures.taking_part,
        "formulas": [d[project_figures.BY_STAGE][1], d[project_figures.TAKING_PART][1]],
    }


def _coverage_context(user, area: Area) -> dict:
    """Household visit coverage today, of the area and its children (``stats.coverage``)."""
    today = timezone.localdate()
    children = list(area_selectors.children(user, area).defer("boundary"))

    def row(cov) -> dict:
        return {
            "rate": _percent(cov.rate),
            "covered": cov.covered,
            "households": cov.households,
            "overdue": cov.households - cov.covered,
        }

    whole = visit_coverage.area_coverage(area, today)
    return {
        "label": visit_coverage.LABEL,
        "formula": visit_coverage.FORMULA,
        "on": today,
        "area": row(whole),
        "classes": [{"label": c.label, "days": c.days, **row(c)} for c in whole.classes],
        "children": [
            {"area": child, **row(cov)}
            for child, cov in visit_coverage.children_coverage(area, children, today)
        ],
    }


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@never_cache
@login_required
@require_GET
def wall(request: HttpRequest, code: str) -> HttpResponse:
    """The same figures at 1920×1080 for a wall screen, refreshed every minute."""
    area = selectors.get_statistics_area(request.user, code)
    context, status = _shell_context(request, area, wall=True)
    return render(request, "stats/wall.html", context, status=status)


# ---------------------------------------------------------------------------
# Data


def _area_ref(area: Area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "level_label": str(Area.Level(area.level).label),
        "kind": area.kind or None,
        "has_children": area.numchild > 0,
    }


def _kpis(kp: Kpis) -> dict:
    return kp.as_dict()


def _headline(area: Area, kp: Kpis) -> dict:
    counts = selectors.headcounts(area)
    levels = counts["levels"]
    workforce = counts["workforce"]
    grids = [
        {"key": level, "label": str(Area.Level(level).label), "n": levels[level]}
        for level in c.LEVELS
        if level in levels
    ]
    return {
        "grids": grids,
        "dedicated_micro_grids": levels.get("micro_grid_dedicated"),
        "workforce": {
            "total": workforce["total"],
            "force_types": [
                {"key": key, "label": str(label), "n": workforce["force_type"].get(key, 0)}
                for key, label in Person.ForceType.choices
            ],
        },
        "reported": kp.reported,
        "handled": kp.handled,
        "closed": kp.closed,
        "completion_rate": kp.completion_rate,
        "satisfaction_rate": kp.satisfaction_rate,
        "score": kp.score,
        "grade": kp.grade,
    }


def _minutes(delta: timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def _sla_rows(found: selectors.SlaList, now, links: bool, colour: str) -> dict:
    rows = []
    for event in found.events:
        if colour == "red":
            minutes = _minutes(now - event.deadline_at)
        else:
            minutes = _minutes(event.deadline_at - now)
        rows.append(
            {
                "id": event.pk,
                "number": event.number,
                "category": local_name(event.category),
                "area": event.area.name,
                "area_code": event.area.code,
                "deadline": timezone.localtime(event.deadline_at).isoformat(),
                "minutes": minutes,
                "url": reverse("events:detail", kwargs={"pk": event.pk}) if links else None,
            }
        )
    return {"total": found.total, "capped": found.capped, "rows": rows}


@never_cache
@login_required
@require_GET
def data(request: HttpRequest, code: str) -> JsonResponse:
    """Everything the dashboard draws, for one area and period (``from``, ``to``)."""
    area = selectors.get_statistics_area(request.user, code)
    try:
        period = period_of(request, timezone.localdate(), selectors.reporting_periods(area))
    except ValueError as exc:
        return _bad_period(exc)
    result = area_kpis(area, period)
    now = timezone.now()
    lists = selectors.sla_lists(area, now)
    links = selectors.opens_events_in(request.user, area)
    monthly = (period.end - period.start) > timedelta(days=92)
    body = {
        "area": _area_ref(area),
        "period": {"start": period.start.isoformat(), "end": period.last.isoformat()},
        "generated_at": timezone.localtime(now).isoformat(),
        "headline": _headline(area, result.kpis),
        "kpis": _kpis(result.kpis),
        "unassigned": _kpis(result.unassigned) if result.unassigned else None,
        "children": [{**_area_ref(child), "kpis": _kpis(kp)} for child, kp in result.children],
        "trend": {
            "monthly": monthly,
            "points": [
                {
                    "date": day.isoformat(),
                    "reported": kp.reported,
                    "closed": kp.totals["closed"],
                    "completion_rate": kp.completion_rate,
                    "satisfaction_rate": kp.satisfaction_rate,
                    "score": kp.score,
                }
                for day, kp in selectors.dashboard_trend(area, period)
            ],
        },
        "top_categories": [
            {
                "code": cat.code,
                "name": local_name(cat),
                "class": local_name(cat.parent) if cat.parent_id else "",
                "n": n,
            }
            for cat, n in selectors.dashboard_top_categories(area, period)
        ],
        "red": _sla_rows(lists["red"], now, links, "red"),
        "yellow": _sla_rows(lists["yellow"], now, links, "yellow"),
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
@require_GET
def heat(request: HttpRequest, code: str) -> JsonResponse:
    """Where the period's events were reported inside the area, counted per grid cell."""
    area = selectors.get_statistics_area(request.user, code)
    try:
        period = period_of(request, timezone.localdate(), selectors.reporting_periods(area))
    except ValueError as exc:
        return _bad_period(exc)
    found = selectors.heat_cells(area, period)
    return JsonResponse(
        {
            "area": {"code": area.code, "name": area.name},
            "period": {"start": period.start.isoformat(), "end": period.last.isoformat()},
            **found,
        }
    )
