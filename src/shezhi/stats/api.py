"""KPIs and rankings under /api/v1/stats/, scoped like the pages (404 outside scope)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shezhi.areas import selectors as area_selectors
from shezhi.core.apitypes import AreaRef as AreaOut
from shezhi.core.apitypes import Day, DayText
from shezhi.core.apitypes import ErrorOut as StatsError
from shezhi.core.errors import BadInput
from shezhi.core.periods import Period
from shezhi.organisations import selectors as organisation_selectors

from . import coverage as visit_coverage
from . import participation as taking_part
from . import project_figures
from .kpis import DEFINITIONS, Kpis
from .selectors import (
    area_ranking,
    department_ranking,
    get_statistics_area,
    kpis_for,
    worker_ranking,
)

router = Router()


class PeriodQuery(Schema):
    area: str = Field(..., description="the area's code; its statistics must be in your scope")
    from_: DayText = Field(
        "", alias="from", description="first day (YYYY-MM-DD); default 1 January this year"
    )
    to: DayText = Field("", description="last day, inclusive (YYYY-MM-DD); default today")


class KpisOut(Schema):
    reported: int
    handled: int
    closed: int
    registration_rate: float | None
    completion_rate: float | None
    on_time_rate: float | None
    overdue_rate: float | None
    rework_rate: float | None
    accurate_dispatch_rate: float | None
    bounces: int
    handling_hours_mean: float | None
    handling_hours_median: float | None
    handling_hours_p90: float | None
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    in_grid_rate: float | None
    score: float | None
    grade: str | None
    counts: dict[str, int] = Field(description="the counters the rates are ratios of")


class ChildOut(Schema):
    area: AreaOut
    kpis: KpisOut


class PeriodOut(Schema):
    start: str
    end: str = Field(description="last day, inclusive")


class AreaKpisOut(Schema):
    area: AreaOut
    period: PeriodOut
    kpis: KpisOut
    children: list[ChildOut]
    unassigned: KpisOut | None = Field(
        None, description="events located on the area itself, in none of its children"
    )


class DefinitionOut(Schema):
    name: str
    label: str
    formula: str


class RankedAreaOut(Schema):
    rank: int
    area: AreaOut
    kpis: KpisOut


class AreaRankingOut(Schema):
    area: AreaOut
    period: PeriodOut
    tie_rule: str
    ranking: list[RankedAreaOut]


class RankedDepartmentOut(Schema):
    rank: int
    code: str
    name: str
    summoned: int
    on_time: int
    late: int
    missing: int
    on_time_rate: float | None
    rating: float | None
    dispatched: int
    bounces: int
    bounce_rate: float | None


class DepartmentRankingOut(Schema):
    area: AreaOut
    period: PeriodOut
    tie_rule: str
    ranking: list[RankedDepartmentOut]


class WorkerOut(Schema):
    rank: int
    name: str
    reported: int
    handled: int
    verified: int
    pieces: int


class WorkerRankingOut(Schema):
    area: AreaOut
    period: PeriodOut
    tie_rule: str
    ranking: list[WorkerOut]


def _area(area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def _period(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.last.isoformat()}


def _kpis(kp: Kpis) -> dict:
    return kp.as_dict()


def _parse(q: PeriodQuery) -> Period:
    """The query's period; a bad one is a 400 naming the period (the API's refusal handler)."""
    try:
        return Period.of(q.from_, q.to, today=timezone.localdate())
    except ValueError as exc:
        raise BadInput(str(exc), field="period") from None


@router.get(
    "/stats/kpis",
    response={200: AreaKpisOut, 400: StatsError},
    summary="KPIs of an area and of each of its children",
    description="The cohort is the events reported in the period inside each area, each as"
    " of its latest step (see /stats/definitions). Rates are null when there is nothing to"
    " judge. Areas outside your scope answer 404.",
)
def kpis(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    result = kpis_for(request.user, q.area, period)
    return {
        "area": _area(result.area),
        "period": _period(period),
        "kpis": _kpis(result.kpis),
        "children": [{"area": _area(a), "kpis": _kpis(kp)} for a, kp in result.children],
        "unassigned": _kpis(result.unassigned) if result.unassigned else None,
    }


@router.get("/stats/definitions", response=list[DefinitionOut], summary="What each KPI means")
def definitions(request: HttpRequest):
    return [
        {"name": name, "label": str(label), "formula": str(formula)}
        for name, (label, formula) in {
            **DEFINITIONS,
            **visit_coverage.DEFINITIONS,
            **taking_part.DEFINITIONS,
            **organisation_selectors.DEFINITIONS,
            **project_figures.DEFINITIONS,
        }.items()
    ]


class WayOut(Schema):
    way: str = Field(description="demand, broadcast_answer, organisation, activity, project")
    label: str
    participants: int = Field(description="distinct participants who took part this way")


class TakingPartOut(Schema):
    total: int = Field(description="distinct participants, each once however many ways")
    by_way: list[WayOut]


class ChildTakingPartOut(Schema):
    area: AreaOut
    total: int


class AreaTakingPartOut(Schema):
    area: AreaOut
    period: PeriodOut
    definition: str
    taking_part: TakingPartOut
    children: list[ChildTakingPartOut]


@router.get(
    "/stats/participation",
    response={200: AreaTakingPartOut, 400: StatsError},
    summary="Residents taking part in an area over a period, by way, and in each child area",
    description="Distinct residents (or people) who raised a demand, answered a broadcast,"
    " joined an organisation, or took part in an activity or a project (see"
    " /stats/definitions: residents_taking_part). Areas outside your scope answer 404.",
)
def participation(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    area = get_statistics_area(request.user, q.area)
    children = list(area_selectors.children(request.user, area).defer("boundary"))
    return {
        "area": _area(area),
        "period": _period(period),
        "definition": str(taking_part.FORMULA),
        "taking_part": taking_part.area_taking_part(area, period).as_dict(),
        "children": [
            {"area": _area(child), "total": n}
            for child, n in taking_part.children_taking_part(children, period)
        ],
    }


class StageCountOut(Schema):
    stage: str = Field(description="a micro-project's stage (see the projects API)")
    label: str
    projects: int


class ProjectFiguresOut(Schema):
    projects: int = Field(description="micro-projects proposed before the period's end")
    by_stage: list[StageCountOut]
    raised_from_residents: int = Field(description="fen: money_raised_from_residents")
    community_support: int = Field(description="fen: community_support_drawn")
    residents_taking_part: int = Field(description="residents_taking_part_in_projects")


class AreaProjectFiguresOut(Schema):
    area: AreaOut
    period: PeriodOut
    figures: ProjectFiguresOut


@router.get(
    "/stats/projects",
    response={200: AreaProjectFiguresOut, 400: StatsError},
    summary="Residents' micro-projects of an area over a period: stages, money, residents",
    description="Projects by stage, residents' money raised and community support drawn"
    " (fen, from the money ledger), residents taking part (see /stats/definitions:"
    " projects_by_stage, money_raised_from_residents, community_support_drawn,"
    " residents_taking_part_in_projects). Areas outside your scope answer 404.",
)
def project_stats(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    area = get_statistics_area(request.user, q.area)
    return {
        "area": _area(area),
        "period": _period(period),
        "figures": project_figures.area_project_figures(area, period).as_dict(),
    }


class ForcesQuery(Schema):
    area: str = Field(..., description="the area's code; its statistics must be in your scope")


class ForceCountsOut(Schema):
    full_time: int = Field(description="专职")
    professional: int = Field(description="专业")
    part_time: int = Field(description="兼职")
    service: int = Field(description="服务")
    self_governance: int = Field(description="自治")
    total: int


class ChildForcesOut(Schema):
    area: AreaOut
    forces: ForceCountsOut


class AreaForcesOut(Schema):
    area: AreaOut
    definition: str
    forces: ForceCountsOut
    children: list[ChildForcesOut]


@router.get(
    "/stats/forces",
    response={200: AreaForcesOut, 400: StatsError},
    summary="The five kinds of forces of an area and of each of its children",
    description="Distinct people of the workforce and members of the self-governance"
    " organisations, by kind (see /stats/definitions: forces). Areas outside your scope"
    " answer 404.",
)
def forces(request: HttpRequest, q: Query[ForcesQuery]):
    area = get_statistics_area(request.user, q.area)
    children = list(area_selectors.children(request.user, area).defer("boundary"))
    counted = organisation_selectors.forces_of([area, *children], within=area)
    return {
        "area": _area(area),
        "definition": str(organisation_selectors.FORCES_FORMULA),
        "forces": counted[0],
        "children": [
            {"area": _area(child), "forces": f}
            for child, f in zip(children, counted[1:], strict=True)
        ],
    }


class CoverageQuery(Schema):
    area: str = Field(..., description="the area's code; its statistics must be in your scope")
    on: Day | None = Field(None, description="as of this local day (YYYY-MM-DD); default today")


class CoverageClassOut(Schema):
    key: str = Field(description="the tag deciding the interval, or 'default'")
    label: str
    days: int = Field(description="visited within this many days counts")
    households: int
    covered: int
    rate: float | None


class CoverageOut(Schema):
    households: int
    covered: int
    rate: float | None = Field(description="covered / households; null without households")
    classes: list[CoverageClassOut]


class ChildCoverageOut(Schema):
    area: AreaOut
    coverage: CoverageOut


class AreaCoverageOut(Schema):
    area: AreaOut
    on: str
    definition: str
    coverage: CoverageOut
    children: list[ChildCoverageOut]


@router.get(
    "/stats/visit-coverage",
    response={200: AreaCoverageOut, 400: StatsError},
    summary="Household visit coverage of an area and of each of its children",
    description="Households visited within their interval (per tag: see /stats/definitions)"
    " / households, as of a day. Areas outside your scope answer 404.",
)
def coverage(request: HttpRequest, q: Query[CoverageQuery]):
    area = get_statistics_area(request.user, q.area)
    on = q.on or timezone.localdate()
    children = list(area_selectors.children(request.user, area).defer("boundary"))
    return {
        "area": _area(area),
        "on": on.isoformat(),
        "definition": str(visit_coverage.FORMULA),
        "coverage": visit_coverage.area_coverage(area, on).as_dict(),
        "children": [
            {"area": _area(child), "coverage": cov.as_dict()}
            for child, cov in visit_coverage.children_coverage(area, children, on)
        ],
    }


AREA_TIES = "score, then completion rate, then more events reported, then code"
DEPARTMENT_TIES = "report-in on-time rate, then mean rating, then fewer bounces, then code"
WORKER_TIES = "pieces of work, then more handled, then name"


@router.get(
    "/stats/rankings/areas",
    response={200: AreaRankingOut, 400: StatsError},
    summary="The area's children ranked by composite score",
)
def rank_areas(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    result = kpis_for(request.user, q.area, period)
    return {
        "area": _area(result.area),
        "period": _period(period),
        "tie_rule": AREA_TIES,
        "ranking": [
            {"rank": r.rank, "area": _area(r.area), "kpis": _kpis(r.kpis)}
            for r in area_ranking(result)
        ],
    }


@router.get(
    "/stats/rankings/departments",
    response={200: DepartmentRankingOut, 400: StatsError},
    summary="The district's departments by whistle response and bounces",
)
def rank_departments(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    area = get_statistics_area(request.user, q.area)
    rows = department_ranking(area, period)
    return {
        "area": _area(area),
        "period": _period(period),
        "tie_rule": DEPARTMENT_TIES,
        "ranking": [
            {
                "rank": r.rank,
                "code": r.department.code,
                "name": r.department.name,
                "summoned": r.summoned,
                "on_time": r.on_time,
                "late": r.late,
                "missing": r.missing,
                "on_time_rate": r.on_time_rate,
                "rating": r.rating,
                "dispatched": r.dispatched,
                "bounces": r.bounces,
                "bounce_rate": r.bounce_rate,
            }
            for r in rows
        ],
    }


@router.get(
    "/stats/rankings/workers",
    response={200: WorkerRankingOut, 400: StatsError},
    summary="Grid workers in the area by pieces of work",
)
def rank_workers(request: HttpRequest, q: Query[PeriodQuery]):
    period = _parse(q)
    area = get_statistics_area(request.user, q.area)
    return {
        "area": _area(area),
        "period": _period(period),
        "tie_rule": WORKER_TIES,
        "ranking": [
            {
                "rank": r.rank,
                "name": r.name,
                "reported": r.reported,
                "handled": r.handled,
                "verified": r.verified,
                "pieces": r.pieces,
            }
            for r in worker_ranking(area, period)
        ],
    }
