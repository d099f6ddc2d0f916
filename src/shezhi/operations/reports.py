"""The after-action report of an operation: its figures once (``after_action``), drawn
as a workbook (openpyxl) and a PDF (ReportLab, with its built-in CID font STSong-Light,
as stats' monthly report: nothing to install, works from a fresh clone).

Figures, over the reader's part of the operation (``permissions.scope(user,
"dashboard")``), from the rows themselves (not the tallies, so the report checks them):
- households, households checked, coverage = checked / households; the same for the
  vulnerable households;
- outcomes: reached, absent, refused, needs help (each line's latest outcome);
- coverage curve: per hour from the start, households first checked so far, and that
  over the households (a re-check does not move a household along the curve);
- needs raised = lines that raised an event; closed = those whose event is closed
  (voided and merged ones are counted apart); per need kind, raised and closed;
- roll-call: workers on duty and unavailable at the end;
- hand-outs: per item, households and quantity.
The report names no household and no resident: places are micro-grids.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.events.models import Event
from shezhi.events.selectors import display_names

from . import permissions
from .models import CheckLine, Distribution, Need, Operation, Outcome, RollCall

FONT = "STSong-Light"
CURVE_COLOUR = "#2F6DB5"


@dataclass
class NeedRow:
    event_id: int
    micro_grid: str
    needs: list[str]
    raised_at: datetime | None
    state: str
    closed_at: datetime | None


@dataclass
class AfterAction:
    operation: Operation
    started_by: str
    ended_by: str
    households: int = 0
    checked: int = 0
    vulnerable: int = 0
    vulnerable_checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    curve: list[tuple[datetime, int]] = field(default_factory=list)
    needs_raised: int = 0
    needs_closed: int = 0
    needs_dropped: int = 0  # voided or merged
    by_need: dict[str, tuple[int, int]] = field(default_factory=dict)  # need → raised, closed
    need_rows: list[NeedRow] = field(default_factory=list)
    on_duty: int = 0
    unavailable: int = 0
    hand_outs: list[dict] = field(default_factory=list)
    timeline: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return self.checked / self.households if self.households else None

    @property
    def vulnerable_coverage(self) -> float | None:
        return self.vulnerable_checked / self.vulnerable if self.vulnerable else None


def _scoped(qs, q):
    return qs if q is None else qs.filter(q)


def after_action(user, operation: Operation, *, now: datetime | None = None) -> AfterAction:
    inside = permissions.scope(user, "dashboard")
    names = display_names([operation.started_by_id, operation.ended_by_id])
    report = AfterAction(
        operation=operation,
        started_by=names.get(operation.started_by_id, ""),
        ended_by=names.get(operation.ended_by_id, "") if operation.ended_by_id else "",
    )
    lines = _scoped(CheckLine.objects.filter(operation=operation), inside)
    totals = lines.aggregate(
        households=Count("id"),
        checked=Count("id", filter=~Q(outcome="")),
        vulnerable=Count("id", filter=Q(rank=0)),
        vulnerable_checked=Count("id", filter=Q(rank=0) & ~Q(outcome="")),
    )
    for name, value in totals.items():
        setattr(report, name, value or 0)
    counted = dict(
        lines.exclude(outcome="")
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    report.outcomes = {o: counted.get(o, 0) for o in Outcome.values}

    # Coverage curve: households first checked, per hour since the start.
    start = operation.started_at
    end = operation.ended_at or now or timezone.now()
    hours = Counter()
    for at in (
        lines.filter(first_checked_at__isnull=False)
        .values_list("first_checked_at", flat=True)
        .iterator(chunk_size=20_000)
    ):
        hours[max(0, int((at - start).total_seconds() // 3600))] += 1
    # One point at the end of each hour begun before the end.
    last_hour = max(math.ceil((end - start).total_seconds() / 3600) - 1, max(hours, default=0))
    running = 0
    for h in range(0, last_hour + 1):
        running += hours.get(h, 0)
        report.curve.append((start + timedelta(hours=h + 1), running))

    # Needs raised and closed.
    raised = list(
        lines.filter(need_event__isnull=False)
        .select_related("need_event", "micro_grid")
        .only(
            "needs",
            "first_checked_at",
            "checked_at",
            "need_event__state",
            "need_event__closed_at",
            "need_event__created_at",
            "micro_grid__name",
        )
        .order_by("need_event__created_at", "id")
    )
    by_need: dict[str, list[int]] = {n: [0, 0] for n in Need.values}
    for line in raised:
        event = line.need_event
        closed = event.state == Event.State.CLOSED
        dropped = event.state in (Event.State.VOIDED, Event.State.MERGED)
        report.needs_raised += 1
        report.needs_closed += closed
        report.needs_dropped += dropped
        for n in line.need_list:
            if n in by_need:
                by_need[n][0] += 1
                by_need[n][1] += closed
        report.need_rows.append(
            NeedRow(
                event.pk,
                line.micro_grid.name,
                line.need_list,
                event.created_at,
                event.state,
                event.closed_at,
            )
        )
    report.by_need = {n: (v[0], v[1]) for n, v in by_need.items()}

    rolls = dict(
        _scoped(RollCall.objects.filter(operation=operation), inside)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    report.on_duty = rolls.get(RollCall.Status.ON_DUTY, 0)
    report.unavailable = rolls.get(RollCall.Status.UNAVAILABLE, 0)
    report.hand_outs = list(
        _scoped(Distribution.objects.filter(operation=operation), inside)
        .values("item")
        .annotate(households=Count("line", distinct=True), quantity=Sum("quantity"))
        .order_by("item")
    )

    # Timeline: start, first check, coverage milestones, each need and its closing, end.
    events: list[tuple[datetime, str]] = [
        (operation.started_at, _("Operation started by %(who)s") % {"who": report.started_by})
    ]
    if report.households:
        marks = {int(report.households * share): share for share in (0.5, 0.9, 1.0)}
        firsts = lines.filter(first_checked_at__isnull=False).order_by("first_checked_at")
        first = firsts.values_list("first_checked_at", flat=True).first()
        if first:
            events.append((first, _("First household checked")))
        for count, share in sorted(marks.items()):
            if count and count <= report.checked:
                at = firsts.values_list("first_checked_at", flat=True)[count - 1 : count].first()
                if at:
                    events.append(
                        (at, _("%(share)s of households checked") % {"share": pct(share)})
                    )
    labels = dict(Need.choices)
    for row in report.need_rows:
        needs = "、".join(str(labels[n]) for n in row.needs if n in labels)
        if row.raised_at:
            events.append(
                (
                    row.raised_at,
                    _("Need raised in %(grid)s: %(needs)s (event %(id)s)")
                    % {"grid": row.micro_grid, "needs": needs, "id": row.event_id},
                )
            )
        if row.closed_at:
            events.append((row.closed_at, _("Event %(id)s closed") % {"id": row.event_id}))
    if operation.ended_at:
        events.append((operation.ended_at, _("Stood down by %(who)s") % {"who": report.ended_by}))
    report.timeline = sorted(events, key=lambda e: e[0])
    return report


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def summary_rows(r: AfterAction) -> list[tuple[str, str]]:
    op = r.operation
    labels = dict(Outcome.choices)
    rows = [
        (_("Operation"), op.title),
        (_("Kind"), op.get_kind_display()),
        (_("Area"), op.area.name),
        (_("Started"), f"{_when(op.started_at)} · {r.started_by}"),
        (
            _("Stood down"),
            f"{_when(op.ended_at)} · {r.ended_by}" if op.ended_at else op.get_state_display(),
        ),
        (_("Households"), str(r.households)),
        (_("Households checked"), f"{r.checked} ({pct(r.coverage)})"),
        (
            _("Vulnerable households checked"),
            f"{r.vulnerable_checked} / {r.vulnerable} ({pct(r.vulnerable_coverage)})",
        ),
    ]
    rows += [(str(labels[o]), str(r.outcomes.get(o, 0))) for o in Outcome.values]
    rows += [
        (_("Needs raised"), str(r.needs_raised)),
        (_("Needs closed"), str(r.needs_closed)),
        (_("Needs still open"), str(r.needs_raised - r.needs_closed - r.needs_dropped)),
        (_("Workers on duty"), str(r.on_duty)),
        (_("Workers unavailable"), str(r.unavailable)),
    ]
    return rows


# ---------------------------------------------------------------------------
# Workbook


def workbook(r: AfterAction) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = _("Summary")[:31]
    ws.append([_("After-action report"), r.operation.title])
    ws["A1"].font = bold
    for row in summary_rows(r):
        ws.append(list(row))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40

    ws = wb.create_sheet(_("Coverage curve")[:31])
    ws.append([_("Time"), _("Households checked"), _("Coverage")])
    for at, n in r.curve:
        ws.append([_when(at), n, round(n / r.households, 4) if r.households else None])
    for c in ws[1]:
        c.font = bold

    ws = wb.create_sheet(_("Needs")[:31])
    labels = dict(Need.choices)
    ws.append([_("Need"), _("Raised"), _("Closed")])
    for n, (raised, closed) in r.by_need.items():
        ws.append([str(labels[n]), raised, closed])
    ws.append([])
    ws.append([_("Event"), _("Micro-grid"), _("Needs"), _("Raised at"), _("State"), _("Closed at")])
    states = dict(Event.State.choices)
    for row in r.need_rows:
        ws.append(
            [
                row.event_id,
                row.micro_grid,
                "、".join(str(labels[n]) for n in row.needs),
                _when(row.raised_at),
                str(states.get(row.state, row.state)),
                _when(row.closed_at),
            ]
        )

    ws = wb.create_sheet(_("Timeline")[:31])
    ws.append([_("Time"), _("What happened")])
    for at, text in r.timeline:
        ws.append([_when(at), text])
    ws.column_dimensions["B"].width = 60

    ws = wb.create_sheet(_("Hand-outs")[:31])
    ws.append([_("Item"), _("Households"), _("Quantity")])
    for h in r.hand_outs:
        ws.append([h["item"], h["households"], h["quantity"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# PDF


def pdf(r: AfterAction) -> bytes:
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))

    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22)
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{r.operation.title} · {_('After-action report')}",
    )
    width = doc.width
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def table(rows, widths):
        t = Table(
            [[Paragraph(escape(str(c)), body) for c in row] for row in rows],
            colWidths=widths,
            repeatRows=1,
        )
        t.setStyle(style)
        return t

    story = [
        Paragraph(escape(f"{r.operation.title} · {_('After-action report')}"), title),
        table(summary_rows(r), [width * 0.4, width * 0.6]),
        Paragraph(escape(_("Coverage curve")), head),
    ]
    if r.curve and r.households:
        d = Drawing(width, 160)
        plot = LinePlot()
        plot.x, plot.y, plot.width, plot.height = 40, 25, width - 60, 120
        points = [(float(i + 1), 100.0 * n / r.households) for i, (_at, n) in enumerate(r.curve)]
        plot.data = [[(0.0, 0.0), *points]]
        plot.lines[0].strokeColor = colors.HexColor(CURVE_COLOUR)
        plot.lines[0].strokeWidth = 1.5
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
        plot.yValueAxis.labels.fontName = FONT
        plot.xValueAxis.labels.fontName = FONT
        plot.xValueAxis.valueMin = 0
        d.add(plot)
        story.append(d)
        story.append(Paragraph(escape(_("Households checked (%) by hours since the start.")), body))
    labels = dict(Need.choices)
    story.append(Paragraph(escape(_("Needs raised and closed")), head))
    story.append(
        table(
            [[_("Need"), _("Raised"), _("Closed")]]
            + [[str(labels[n]), v[0], v[1]] for n, v in r.by_need.items()],
            [width * 0.5, width * 0.25, width * 0.25],
        )
    )
    story.append(Paragraph(escape(_("Timeline")), head))
    story.append(
        table(
            [[_("Time"), _("What happened")]]
            + [[_when(at), text] for at, text in r.timeline[:400]],
            [width * 0.25, width * 0.75],
        )
    )
    if r.hand_outs:
        story.append(Paragraph(escape(_("Hand-outs")), head))
        story.append(
            table(
                [[_("Item"), _("Households"), _("Quantity")]]
                + [[h["item"], h["households"], h["quantity"]] for h in r.hand_outs],
                [width * 0.5, width * 0.25, width * 0.25],
            )
        )
    story.append(Spacer(1, 6))
    doc.build(story)
    return out.getvalue()
