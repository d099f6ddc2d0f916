"""Exports of the statistics: any KPI table or ranking as .xlsx, a monthly report as a PDF.

Nothing here computes a KPI: every figure comes from ``stats.kpis`` (``area_kpis``
and its ``Kpis``) and the scoped reads of ``stats.selectors``; this module only
lays them out. Callers check the user's scope first (``get_statistics_area``).

The PDF is drawn with ReportLab: pure Python, charts from ``reportlab.graphics``
(vector drawings, no images), Chinese in the built-in CID font ``STSong-Light``
(every PDF reader has it; nothing is embedded or downloaded).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.names import local_name
from shezhi.core.periods import Period

from .kpis import DEFAULT_GRADES, DEFINITIONS, RATES, Kpis, area_kpis, weights
from .selectors import (
    area_ranking,
    department_ranking,
    top_categories,
    trend,
    worker_ranking,
)

TABLES = ("kpis", "areas", "departments", "workers")
# The row of the column labels in every exported table (the rows above say what it is).
HEADER_ROW = 5
# The worker ranking in a spreadsheet: everyone, up to this many.
EXPORT_WORKERS = 10_000

XLSX_FORMATS = {
    "int": "0",
    "rate": "0.0%",
    "hours": "0.0",
    "score": "0.0",
    "rating": "0.00",
}


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


# ---------------------------------------------------------------------------
# .xlsx


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def period_text(period: Period) -> str:
    return _("%(start)s to %(end)s") % {
        "start": period.start.isoformat(),
        "end": period.last.isoformat(),
    }


def workbook(area: Area, period: Period, table_name: str, *, now: datetime | None = None) -> bytes:
    """The table ``table_name`` of ``area`` over ``period``, and a definitions sheet (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    now = timezone.localtime(now)
    table = table_for(table_name, area, period)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(table.title)
    wb.properties.title = f"{area.name} ({area.code}) {table.title}"
    wb.properties.creator = _("Shezhi Harbor")

    ws["A1"] = f"{area.name}（{area.code}） {table.title}"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = _("Period: %(period)s (events reported in it)") % {"period": period_text(period)}
    ws["A3"] = _("Generated: %(at)s") % {"at": now.strftime("%Y-%m-%d %H:%M")}
    if table.tie_rule:
        ws["A4"] = _("Order: %(rule)s") % {"rule": table.tie_rule}
    for cell in ("A2", "A3", "A4"):
        ws[cell].font = Font(color="555555")

    thin = Side(style="thin", color="BBBBBB")
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(HEADER_ROW, col, column.label)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[HEADER_ROW].height = 45

    widths = [min(display_width(c.label), 16) for c in table.columns]
    for r, values in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            if value is None or value == "":
                continue  # nothing to judge: an empty cell, never 0
            cell = ws.cell(r, col, value)
            if column.kind in XLSX_FORMATS:
                cell.number_format = XLSX_FORMATS[column.kind]
                shown = 8
            else:
                shown = display_width(str(value))
            widths[col - 1] = max(widths[col - 1], shown)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(width + 2, 40))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1 + (3 if table.name == "kpis" else 0))
    last_row = HEADER_ROW + max(len(table.rows), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{last_row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    _definitions_sheet(wb.create_sheet(_sheet_title(_("Definitions"))), table, area, period, now)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _definitions_sheet(ws, table: Table, area: Area, period: Period, now: datetime) -> None:
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 70
    ws["A1"] = _("How the figures are defined")
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = f"{area.name}（{area.code}） | {period_text(period)} | {now:%Y-%m-%d %H:%M}"
    row = 4
    for label, text in general_notes() + ([(_("Order"), table.tie_rule)] if table.tie_rule else []):
        ws.cell(row, 1, label).font = Font(bold=True)
        ws.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    for col, label in enumerate((_("KPI"), _("Field"), _("Formula")), start=1):
        ws.cell(row, col, label).font = Font(bold=True)
    row += 1
    for name, (label, formula) in DEFINITIONS.items():
        ws.cell(row, 1, str(label))
        ws.cell(row, 2, name)
        ws.cell(row, 3, str(formula))
        row += 1
    if table.notes:
        row += 1
        for col, label in enumerate((_("Column"), _("Meaning")), start=1):
            ws.cell(row, col, label).font = Font(bold=True)
        row += 1
        for label, text in table.notes:
            ws.cell(row, 1, label)
            ws.cell(row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
            row += 1


def xlsx_filename(area: Area, table_name: str, period: Period) -> str:
    return f"{area.code}_{table_name}_{period.start.isoformat()}_{period.last.isoformat()}.xlsx"


# ---------------------------------------------------------------------------
# The monthly report (PDF)

FONT = "STSong-Light"
# Series colours (also what the tests look for in the drawing operators).
REPORTED_COLOUR = "#2F6DB5"
CLOSED_COLOUR = "#3BA272"
COMPLETION_COLOUR = "#E07B39"
SATISFACTION_COLOUR = "#8E44AD"
CATEGORY_COLOUR = "#4A90C2"


def month_period(value: str | None, *, today: date) -> Period:
    """The month ``YYYY-MM`` as a period (default: last month); ValueError with a message."""
    if not value:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
        try:
            if not match:
                raise ValueError
            first = date(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ValueError(
                _("month is not a month like 2026-03: %(value)s") % {"value": value}
            ) from None
        if first > today.replace(day=1):
            raise ValueError(_("The month %(value)s has not begun yet.") % {"value": value})
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following)


def month_label(period: Period) -> str:
    """The month in the current language (zh-hans: 2026年3月)."""
    return formats.date_format(period.start, "YEAR_MONTH_FORMAT")


def pdf_filename(area: Area, period: Period) -> str:
    return f"{area.code}_report_{period.start:%Y-%m}.pdf"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def shown(value, kind: str) -> str:
    """A value as the PDF prints it (the spreadsheet keeps the numbers)."""
    if value is None:
        return "—"
    if value == "":
        return ""
    if kind == "rate":
        return pct(value)
    if kind in ("hours", "score"):
        return num(value)
    if kind == "rating":
        return num(value, 2)
    return str(value)


class _Report:
    """Builds the story of one month's report for one area."""

    def __init__(self, area: Area, period: Period, now: datetime):
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.area, self.period, self.now = area, period, now
        self.colors = colors
        base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
        self.styles = {
            "base": base,
            "title": ParagraphStyle("title", base, fontSize=18, leading=24, spaceAfter=4),
            "meta": ParagraphStyle("meta", base, fontSize=8.5,
                                   textColor=colors.HexColor("#555555")),
            "h2": ParagraphStyle(
                "h2", base, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4,
                textColor=colors.HexColor("#1F3B5C"),
            ),
            "cell": ParagraphStyle("cell", base, fontSize=7, leading=9),
            "head": ParagraphStyle("head", base, fontSize=7, leading=9, alignment=1),
            "note": ParagraphStyle("note", base, fontSize=7.5, leading=10,
                                   textColor=colors.HexColor("#555555")),
            "empty": ParagraphStyle("empty", base, textColor=colors.HexColor("#777777")),
            "big": ParagraphStyle("big", base, fontSize=17, leading=21, alignment=1),
            "small": ParagraphStyle("small", base, fontSize=8, leading=10, alignment=1,
                                    textColor=colors.HexColor("#555555")),
        }  # fmt: skip
        self.width = 0.0  # set by build()

    def p(self, text: str, style: str = "base"):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), self.styles[style])

    # -- pieces --------------------------------------------------------------

    def headline(self, kp: Kpis):
        from reportlab.platypus import Table as PdfTable
        from reportlab.platypus import TableStyle

        figures = [
            (str(DEFINITIONS["reported"][0]), str(kp.reported)),
            (str(DEFINITIONS["handled"][0]), str(kp.handled)),
            (str(DEFINITIONS["closed"][0]), str(kp.closed)),
            (str(DEFINITIONS["completion_rate"][0]), pct(kp.completion_rate)),
            (str(DEFINITIONS["on_time_rate"][0]), pct(kp.on_time_rate)),
            (str(DEFINITIONS["satisfaction_rate"][0]), pct(kp.satisfaction_rate)),
            (str(DEFINITIONS["score"][0]), num(kp.score)),
            (_("Grade"), kp.grade or "—"),
        ]
        cells = [[self.p(value, "big"), self.p(label, "small")] for label, value in figures]
        rows = [cells[:4], cells[4:]]
        grid = PdfTable(
            [[PdfTable([[c[0]], [c[1]]], colWidths=[self.width / 4 - 6]) for c in r] for r in rows],
            colWidths=[self.width / 4] * 4,
        )
        c = self.colors
        grid.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, c.HexColor("#9DB4CF")),
                    ("INNERGRID", (0, 0), (-1, -1), 0.4, c.HexColor("#C9D6E6")),
                    ("BACKGROUND", (0, 0), (-1, -1), c.HexColor("#F3F7FB")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return grid

    def table(self, columns: list[Column], rows: list[list], widths: list[float]):
        from reportlab.platypus import Table as PdfTable
        from reportlab.platypus import TableStyle

        data = [[self.p(c.label, "head") for c in columns]]
        for values in rows:
            data.append(
                [self.p(shown(v, c.kind), "cell") for c, v in zip(columns, values, strict=True)]
            )
        out = PdfTable(data, colWidths=widths, repeatRows=1)
        c = self.colors
        out.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), c.HexColor("#DDE7F3")),
                    ("GRID", (0, 0), (-1, -1), 0.3, c.HexColor("#B8C4D2")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#F7F9FC")]),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return out

    def _empty_drawing(self, height: float, message: str):
        from reportlab.graphics.shapes import Drawing, Rect, String

        c = self.colors
        d = Drawing(self.width, height)
        d.add(Rect(0, 0, self.width, height, fillColor=c.HexColor("#F7F7F7"),
                   strokeColor=c.HexColor("#CCCCCC"), strokeWidth=0.5))  # fmt: skip
        d.add(String(self.width / 2, height / 2 - 4, message, fontName=FONT, fontSize=10,
                     fillColor=c.HexColor("#777777"), textAnchor="middle"))  # fmt: skip
        return d

    def _legend(self, pairs, x: float, y: float):
        from reportlab.graphics.charts.legends import Legend

        legend = Legend()
        legend.x, legend.y = x, y
        legend.fontName, legend.fontSize = FONT, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.dxTextSpace = 4
        legend.boxAnchor = "nw"
        legend.colorNamePairs = pairs
        return legend

    def daily_counts_chart(self, points: list[tuple[date, Kpis]]):
        """Events reported per day, and how many of them are closed (bars)."""
        from reportlab.graphics.charts.barcharts import VerticalBarChart
        from reportlab.graphics.shapes import Drawing

        reported = [kp.reported for _d, kp in points]
        if not any(reported):
            return self._empty_drawing(70, _("No events were reported in this month."))
        closed = [kp.totals["closed"] for _d, kp in points]
        c = self.colors
        d = Drawing(self.width, 170)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 22, self.width - 40, 120
        chart.data = [reported, closed]
        chart.bars[0].fillColor = c.HexColor(REPORTED_COLOUR)
        chart.bars[1].fillColor = c.HexColor(CLOSED_COLOUR)
        chart.bars.strokeColor = None
        chart.barSpacing = 0.5
        chart.groupSpacing = 3
        _integer_axis(chart.valueAxis, max(reported))
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.categoryAxis.categoryNames = [str(day.day) for day, _kp in points]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 6
        d.add(chart)
        d.add(
            self._legend(
                [
                    (c.HexColor(REPORTED_COLOUR), str(DEFINITIONS["reported"][0])),
                    (c.HexColor(CLOSED_COLOUR), str(DEFINITIONS["closed"][0])),
                ],
                30,
                166,
            )
        )
        return d

    def daily_rates_chart(self, points: list[tuple[date, Kpis]]):
        """Completion and satisfaction rates of each day's reports (lines, gaps skipped)."""
        from reportlab.graphics.charts.linecharts import HorizontalLineChart
        from reportlab.graphics.shapes import Drawing
        from reportlab.graphics.widgets.markers import makeMarker

        completion = [None if kp.completion_rate is None else 100 * kp.completion_rate
                      for _d, kp in points]  # fmt: skip
        satisfaction = [None if kp.satisfaction_rate is None else 100 * kp.satisfaction_rate
                        for _d, kp in points]  # fmt: skip
        if all(v is None for v in completion + satisfaction):
            return self._empty_drawing(50, _("No completion or satisfaction to judge yet."))
        c = self.colors
        d = Drawing(self.width, 150)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 30, 22, self.width - 40, 100
        chart.data = [completion, satisfaction]
        # A line needs two points: a series with one judged day shows its marker alone.
        chart.joinedLines = 0
        for i, colour in enumerate((COMPLETION_COLOUR, SATISFACTION_COLOUR)):
            if sum(v is not None for v in chart.data[i]) >= 2:
                chart.lines[i].lineStyle = "joinedLine"
            chart.lines[i].strokeColor = c.HexColor(colour)
            chart.lines[i].strokeWidth = 1.2
            chart.lines[i].symbol = makeMarker("FilledCircle", size=3)
            chart.lines[i].symbol.fillColor = c.HexColor(colour)
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
        chart.valueAxis.labelTextFormat = "%d%%"
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.categoryAxis.categoryNames = [str(day.day) for day, _kp in points]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 6
        d.add(chart)
        d.add(
            self._legend(
                [
                    (c.HexColor(COMPLETION_COLOUR), str(DEFINITIONS["completion_rate"][0])),
                    (c.HexColor(SATISFACTION_COLOUR), str(DEFINITIONS["satisfaction_rate"][0])),
                ],
                30,
                146,
            )
        )
        return d

    def categories_chart(self, ranked):
        """The top categories by events reported (horizontal bars, most on top)."""
        from reportlab.graphics.charts.barcharts import HorizontalBarChart
        from reportlab.graphics.shapes import Drawing

        if not ranked:
            return self._empty_drawing(50, _("No events were reported in this month."))
        c = self.colors
        rows = list(reversed(ranked))  # the chart draws its first category at the bottom
        height = 18 * len(rows)
        d = Drawing(self.width, height + 20)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 150, 12, self.width - 180, height
        chart.data = [[n for _cat, n in rows]]
        chart.bars[0].fillColor = c.HexColor(CATEGORY_COLOUR)
        chart.bars.strokeColor = None
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 7
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
        _integer_axis(chart.valueAxis, max(n for _cat, n in rows))
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        names = []
        for cat, _n in rows:
            name = local_name(cat)
            names.append(name if len(name) <= 14 else name[:13] + "…")
        chart.categoryAxis.categoryNames = names
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        d.add(chart)
        return d

    # -- the whole -----------------------------------------------------------

    def story(self) -> list:
        from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

        area, period = self.area, self.period
        result = area_kpis(area, period)
        points = trend(area, period)
        story = [
            self.p(
                _("%(area)s monthly governance report, %(month)s")
                % {"area": area.name, "month": month_label(period)},
                "title",
            ),
            self.p(
                _("%(level)s %(code)s | %(period)s (events reported in the month) | generated"
                  " %(at)s") % {
                    "level": area.get_level_display(),
                    "code": area.code,
                    "period": period_text(period),
                    "at": self.now.strftime("%Y-%m-%d %H:%M"),
                },
                "meta",
            ),
            Spacer(1, 8),
            self.headline(result.kpis),
        ]  # fmt: skip

        story += [
            KeepTogether([self.p(_("Daily trend"), "h2"), self.daily_counts_chart(points)]),
            Spacer(1, 4),
            self.daily_rates_chart(points),
            self.p(
                _("Each day's figures are those of the events reported that day, as of now."),
                "note",
            ),
        ]
        story.append(
            KeepTogether(
                [
                    self.p(_("Top categories"), "h2"),
                    self.categories_chart(top_categories(area, period)),
                ]
            )
        )

        # The KPI table: the area and its children, every KPI (in two halves to fit A4).
        story += [CondPageBreak(120), self.p(_("KPIs of the area and its sub-areas"), "h2")]
        name_col = Column("name", _("Area"))
        named = [(area.name, result.kpis)] + [(a.name, kp) for a, kp in result.children]
        if result.unassigned is not None:
            named.append((_("(located on the area itself)"), result.unassigned))
        kcols = kpi_columns()
        half = (len(kcols) + 1) // 2
        for part in (kcols[:half], kcols[half:]):
            rest = (self.width - 100) / len(part)
            rows = []
            for name, kp in named:
                values = dict(zip([c.key for c in kcols], kpi_values(kp), strict=True))
                rows.append([name, *(values[c.key] for c in part)])
            story += [self.table([name_col, *part], rows, [100] + [rest] * len(part)),
                      Spacer(1, 6)]  # fmt: skip

        # The ranking of the children.
        story += [CondPageBreak(120), self.p(_("Ranking of the sub-areas"), "h2")]
        ranking = area_ranking(result)
        if ranking:
            cols = [
                Column("rank", _("Rank"), "int"),
                Column("name", _("Area")),
                *(
                    Column(n, str(DEFINITIONS[n][0]), kpi_kind(n))
                    for n in ("reported", "completion_rate", "on_time_rate", "satisfaction_rate",
                              "score")
                ),
                Column("grade", _("Grade")),
            ]  # fmt: skip
            rows = [
                [r.rank, r.area.name, r.kpis.reported, r.kpis.completion_rate,
                 r.kpis.on_time_rate, r.kpis.satisfaction_rate, r.kpis.score, r.kpis.grade]
                for r in ranking
            ]  # fmt: skip
            rest = (self.width - 30 - 120) / (len(cols) - 2)
            story += [self.table(cols, rows, [30, 120] + [rest] * (len(cols) - 2)),
                      self.p(area_ties(), "note")]  # fmt: skip
        else:
            story.append(self.p(_("This area has no sub-areas."), "empty"))

        # The departments: whistle report-ins and bounces.
        story += [CondPageBreak(120), self.p(_("Ranking of the departments"), "h2")]
        departments = departments_table(area, period)
        if departments.rows:
            cols = [c for c in departments.columns if c.key != "code"]
            rows = [[v for c, v in zip(departments.columns, r, strict=True) if c.key != "code"]
                    for r in departments.rows]  # fmt: skip
            rest = (self.width - 24 - 96) / (len(cols) - 2)
            story += [self.table(cols, rows, [24, 96] + [rest] * (len(cols) - 2)),
                      self.p(department_ties(), "note")]  # fmt: skip
        else:
            story.append(self.p(_("The district has no departments."), "empty"))

        # How to read it.
        story += [CondPageBreak(120), self.p(_("How the figures are defined"), "h2")]
        notes = general_notes() + [
            (str(label), str(formula)) for _n, (label, formula) in DEFINITIONS.items()
        ]
        story.append(
            self.table(
                [Column("what", _("Figure")), Column("how", _("Definition"))],
                [list(n) for n in notes],
                [150, self.width - 150],
            )
        )
        return story

    def build(self) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=18 * mm,
            title=_("%(area)s monthly governance report, %(month)s")
            % {"area": self.area.name, "month": month_label(self.period)},
            author=_("Shezhi Harbor"),
            creator=_("Shezhi Harbor"),
        )
        self.width = doc.width
        footer = f"{self.area.name}（{self.area.code}） | {month_label(self.period)}"

        def on_page(canvas, document):
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(self.colors.HexColor("#777777"))
            canvas.drawString(document.leftMargin, 10 * mm, footer)
            canvas.drawRightString(
                document.leftMargin + document.width,
                10 * mm,
                _("Page %(page)d") % {"page": document.page},
            )
            canvas.restoreState()

        doc.build(self.story(), onFirstPage=on_page, onLaterPages=on_page)
        return out.getvalue()


def _integer_axis(axis, highest: int) -> None:
    """A count axis from 0 with whole-number steps."""
    step = max(1, -(-highest // 5))
    axis.valueMin = 0
    axis.valueStep = step
    axis.valueMax = max(step, step * -(-highest // step))
    axis.labelTextFormat = "%d"


def monthly_report(area: Area, period: Period, *, now: datetime | None = None) -> bytes:
    """The printable A4 report of ``area`` for the month ``period`` (see ``month_period``)."""
    _register_font()
    return _Report(area, period, timezone.localtime(now)).build()
