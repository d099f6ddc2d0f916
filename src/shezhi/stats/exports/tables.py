"""The exported tables, shared by the .xlsx and the PDF: built from the one KPI definition and
the scoped reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.periods import Period

from ..kpis import DEFAULT_GRADES, DEFINITIONS, RATES, Kpis, area_kpis, weights
from ..selectors import (
    area_ranking,
    department_ranking,
    worker_ranking,
)

TABLES = ("kpis", "areas", "departments", "workers")
# The row of the column labels in every exported table (the rows above say what it is).
HEADER_ROW = 5
# The worker ranking in a spreadsheet: everyone, up to this many.
EXPORT_WORKERS = 10_000


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | rate | hours | score | rating


@dataclass
class Table:
    """One exported table: what it is, its columns, its rows, and how to read it."""

    name: str  # kpis | areas | departments | workers
    title: str
    columns: list[Column]
    rows: list[list]
    tie_rule: str = ""
    # Columns beyond the KPIs that need a word: (label, meaning).
    notes: list[tuple[str, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# The tables, from the one KPI definition and the scoped reads


def kpi_kind(name: str) -> str:
    if name in RATES:
        return "rate"
    if name.startswith("handling_hours"):
        return "hours"
    if name == "score":
        return "score"
    return "int"


def kpi_columns() -> list[Column]:
    """One column per KPI, in ``kpis.DEFINITIONS`` order, then the grade."""
    columns = [
        Column(name, str(label), kpi_kind(name)) for name, (label, _f) in DEFINITIONS.items()
    ]
    return [*columns, Column("grade", _("Grade"))]


def kpi_values(kp: Kpis) -> list:
    return [*(getattr(kp, name) for name in DEFINITIONS), kp.grade]


def _area_columns() -> list[Column]:
    return [Column("code", _("Code")), Column("name", _("Area name")), Column("level", _("Level"))]


def kpis_table(area: Area, period: Period) -> Table:
    """The area and each child area, one row each (and the events on the area itself)."""
    result = area_kpis(area, period)
    rows = [[area.code, area.name, area.get_level_display(), *kpi_values(result.kpis)]]
    for child, kp in result.children:
        rows.append([child.code, child.name, child.get_level_display(), *kpi_values(kp)])
    notes = [(_("First row"), _("The area as a whole; the rows below are its sub-areas."))]
    if result.unassigned is not None:
        rows.append(["", _("(located on the area itself)"), "", *kpi_values(result.unassigned)])
        notes.append(
            (
                _("(located on the area itself)"),
                _("Events located in the area but in none of its sub-areas."),
            )
        )
    return Table(
        "kpis", _("KPIs of the area and its sub-areas"), _area_columns() + kpi_columns(), rows,
        notes=notes,
    )  # fmt: skip


def area_ties() -> str:
    return _(
        "By composite score; ties (and areas without a score, placed last) by completion rate,"
        " then more events reported, then code; equal score and completion rate share a rank."
    )


def department_ties() -> str:
    return _(
        "By report-in on-time rate (none last), then mean rating, then fewer bounces, then code;"
        " equal on all three share a rank."
    )


def worker_ties() -> str:
    return _(
        "By pieces of work, then more handled, then name; equal pieces and handled share a rank."
    )


def areas_table(area: Area, period: Period) -> Table:
    """The children of the area ranked by composite score (``selectors.area_ranking``)."""
    ranking = area_ranking(area_kpis(area, period))
    rows = [
        [r.rank, r.area.code, r.area.name, r.area.get_level_display(), *kpi_values(r.kpis)]
        for r in ranking
    ]
    columns = [Column("rank", _("Rank"), "int"), *_area_columns(), *kpi_columns()]
    return Table("areas", _("Ranking of the sub-areas"), columns, rows, tie_rule=area_ties())


def department_columns() -> list[Column]:
    return [
        Column("rank", _("Rank"), "int"),
        Column("code", _("Code")),
        Column("name", _("Department")),
        Column("summoned", _("Whistles received"), "int"),
        Column("on_time", _("Reported in on time"), "int"),
        Column("late", _("Reported in late"), "int"),
        Column("missing", _("Not reported in"), "int"),
        Column("on_time_rate", _("Report-in on-time rate"), "rate"),
        Column("rating", _("Mean rating (1–4)"), "rating"),
        Column("dispatched", _("Events dispatched to it"), "int"),
        Column("bounces", _("Bounces"), "int"),
        Column("bounce_rate", _("Bounce rate"), "rate"),
    ]


def departments_table(area: Area, period: Period) -> Table:
    """The district's departments by whistle response and bounces, for events in the area."""
    rows = [
        [
            r.rank, r.department.code, r.department.name, r.summoned, r.on_time, r.late,
            r.missing, r.on_time_rate, r.rating, r.dispatched, r.bounces, r.bounce_rate,
        ]
        for r in department_ranking(area, period)
    ]  # fmt: skip
    notes = [
        (_("Whistles received"), _("Summonses by whistles blown in the period.")),
        (_("Report-in on-time rate"), _("reported in by the due time / whistles received")),
        (_("Mean rating (1–4)"), _("The whistle-blowers' mean rating of the report-ins.")),
        (_("Events dispatched to it"), _("Dispatches to the department in the period.")),
        (_("Bounces"), _("Of those dispatches, sent back as not the department's.")),
        (_("Bounce rate"), _("bounces / events dispatched to it")),
    ]  # fmt: skip
    return Table(
        "departments", _("Ranking of the departments"), department_columns(), rows,
        tie_rule=department_ties(), notes=notes,
    )  # fmt: skip


def workers_table(area: Area, period: Period) -> Table:
    """Grid workers serving in the area by pieces of work (``selectors.worker_ranking``)."""
    columns = [
        Column("rank", _("Rank"), "int"),
        Column("name", _("Grid worker")),
        Column("reported", _("Events found on patrol"), "int"),
        Column("handled", _("Results reported"), "int"),
        Column("verified", _("Verifications"), "int"),
        Column("pieces", _("Pieces of work"), "int"),
    ]
    rows = [
        [r.rank, r.name, r.reported, r.handled, r.verified, r.pieces]
        for r in worker_ranking(area, period, limit=EXPORT_WORKERS)
    ]
    notes = [
        (_("Pieces of work"), _("patrol reports + results reported + verifications")),
        (_("Events found on patrol"), _("Events the worker reported while on patrol.")),
    ]
    return Table(
        "workers", _("Ranking of the grid workers"), columns, rows, tie_rule=worker_ties(),
        notes=notes,
    )  # fmt: skip


BUILDERS: dict[str, Callable[[Area, Period], Table]] = {
    "kpis": kpis_table,
    "areas": areas_table,
    "departments": departments_table,
    "workers": workers_table,
}


def table_for(name: str, area: Area, period: Period) -> Table:
    """The table called ``name`` (one of ``TABLES``); KeyError for another name."""
    return BUILDERS[name](area, period)


def general_notes() -> list[tuple[str, str]]:
    """How every figure is counted: the cohort, empty rates, the score and the grades."""
    grades = getattr(settings, "SHEZHI_KPI_GRADES", DEFAULT_GRADES)
    labels = {name: str(label) for name, (label, _f) in DEFINITIONS.items()}
    return [
        (
            _("Cohort"),
            _(
                "Every KPI counts the events reported in the period inside the area, each as"
                " of its latest step: a past period gains its closings and ratings as they"
                " happen."
            ),
        ),
        (
            _("Empty cells"),
            _("A rate is empty when its denominator is 0 (nothing to judge), never 0 or 100 %."),
        ),
        (
            _("Composite score weights"),
            ", ".join(f"{labels.get(k, k)} {w:g}" for k, w in weights().items())
            + " — "
            + _("overdue and rework rates count as 1 - rate (lower is better)."),
        ),
        (
            _("Grades"),
            ", ".join(f"{g} ≥ {low:g}" for g, low in grades) + ", " + _("E below"),
        ),
    ]


def period_text(period: Period) -> str:
    return _("%(start)s to %(end)s") % {
        "start": period.start.isoformat(),
        "end": period.last.isoformat(),
    }
