"""The monthly report (PDF), drawn with ReportLab."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.names import local_name
from shezhi.core.periods import Period

from .. import coverage as visit_coverage
from .. import participation as taking_part
from .. import project_figures
from ..kpis import DEFINITIONS, Kpis, area_kpis
from ..selectors import (
    area_ranking,
    top_categories,
    trend,
)
from .tables import (
    Column,
    area_ties,
    department_ties,
    departments_table,
    general_notes,
    kpi_columns,
    kpi_kind,
    kpi_values,
    period_text,
)

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

        story += self.coverage_section()
        story += self.taking_part_section()
        story += self.projects_section()

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

    def coverage_section(self) -> list:
        """Household visit coverage as of the month's last day (today, for this month):
        ``stats.coverage``'s one definition, the area's classes and its sub-areas."""
        from reportlab.platypus import CondPageBreak

        on = min(self.period.last, timezone.localdate(self.now))
        whole = visit_coverage.area_coverage(self.area, on)
        children = list(
            Area.objects.filter(subtree_q("path", self.area.path), depth=self.area.depth + 1)
            .defer("boundary")
            .order_by("path")
        )
        cols = [
            Column("name", _("Households")),
            Column("days", _("Interval (days)"), "int"),
            Column("covered", _("Visited in time"), "int"),
            Column("households", _("Households"), "int"),
            Column("rate", str(visit_coverage.LABEL), "rate"),
        ]
        rows = [[c.label, c.days, c.covered, c.households, c.rate] for c in whole.classes]
        rows.append([_("All households"), None, whole.covered, whole.households, whole.rate])
        rest = (self.width - 140) / (len(cols) - 1)
        story = [
            CondPageBreak(120),
            self.p(str(visit_coverage.LABEL), "h2"),
            self.table(cols, rows, [140] + [rest] * (len(cols) - 1)),
        ]
        if children:
            ccols = [
                Column("name", _("Area")),
                Column("covered", _("Visited in time"), "int"),
                Column("households", _("Households"), "int"),
                Column("rate", str(visit_coverage.LABEL), "rate"),
            ]
            crows = [
                [a.name, c.covered, c.households, c.rate]
                for a, c in visit_coverage.children_coverage(self.area, children, on)
            ]
            rest = (self.width - 140) / 3
            story.append(self.table(ccols, crows, [140] + [rest] * 3))
        story.append(
            self.p(
                _("%(formula)s; as of %(day)s.")
                % {"formula": visit_coverage.FORMULA, "day": on.isoformat()},
                "note",
            )
        )
        return story

    def taking_part_section(self) -> list:
        """Residents taking part in the month (``stats.participation``'s one definition):
        the total, each way, and each sub-area."""
        from reportlab.platypus import CondPageBreak

        whole = taking_part.area_taking_part(self.area, self.period)
        cols = [
            Column("name", _("Way of taking part")),
            Column("n", str(taking_part.LABEL), "int"),
        ]
        rows = [[str(taking_part.WAYS(w).label), n] for w, n in whole.by_way.items()]
        rows.append([_("Any way (each resident once)"), whole.total])
        story = [
            CondPageBreak(120),
            self.p(str(taking_part.LABEL), "h2"),
            self.table(cols, rows, [200, self.width - 200]),
        ]
        children = list(
            Area.objects.filter(subtree_q("path", self.area.path), depth=self.area.depth + 1)
            .defer("boundary")
            .order_by("path")
        )
        if children:
            ccols = [Column("name", _("Area")), Column("n", str(taking_part.LABEL), "int")]
            crows = [
                [a.name, n] for a, n in taking_part.children_taking_part(children, self.period)
            ]
            story.append(self.table(ccols, crows, [200, self.width - 200]))
        story.append(self.p(str(taking_part.FORMULA), "note"))
        return story

    def projects_section(self) -> list:
        """Micro-projects in the month (``stats.project_figures``' definitions): the
        projects by stage, residents' money and community support, residents taking part."""
        from reportlab.platypus import CondPageBreak

        figures = project_figures.area_project_figures(self.area, self.period)
        d = project_figures.DEFINITIONS
        cols = [Column("name", _("Stage")), Column("n", _("Micro-projects"), "int")]
        rows = [[str(project_figures.STAGES(s).label), n] for s, n in figures.by_stage.items()]
        money_cols = [Column("name", _("Figure")), Column("v", _("Value"))]
        money = [
            [str(d[project_figures.RAISED][0]), project_figures.yuan(figures.raised)],
            [str(d[project_figures.SUPPORT][0]), project_figures.yuan(figures.support)],
            [str(d[project_figures.TAKING_PART][0]), str(figures.taking_part)],
        ]
        story = [
            CondPageBreak(120),
            self.p(str(d[project_figures.BY_STAGE][0]), "h2"),
            self.table(cols, rows, [200, self.width - 200]),
            self.table(money_cols, money, [200, self.width - 200]),
        ]
        story += [self.p(str(formula), "note") for _label, formula in d.values()]
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
