"""The leaderboard as a spreadsheet: what community staff print for the notice board
and pay rewards from (staff live in Excel)."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.periods import Period

from .models import Bucket
from .selectors import Ranked


def leaderboard_filename(area: Area, period: Period, bucket: str) -> str:
    part = f"-{bucket}" if bucket else ""
    return f"points-{area.code}-{period.start:%Y-%m}{part}.xlsx"


def leaderboard_workbook(
    area: Area, period: Period, bucket: str, ranking: list[Ranked], *, now: datetime | None = None
) -> bytes:
    """Everyone who earned points in ``area`` over ``period`` (one bucket or all), ranked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    now = timezone.localtime(now)
    buckets = dict(Bucket.choices)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Leaderboard")[:31]
    wb.properties.creator = _("Shezhi Harbor")
    ws["A1"] = _("Points leaderboard of %(area)s (%(code)s)") % {
        "area": area.name,
        "code": area.code,
    }
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = _("Period: %(first)s – %(last)s") % {"first": period.start, "last": period.last}
    ws["A3"] = _("Bucket: %(bucket)s") % {
        "bucket": str(buckets[bucket]) if bucket else _("All buckets")
    }
    ws["A4"] = _(
        "Points earned: awards less deductions, net of reversals; redemptions do not count."
        " Equal points share a rank."
    )
    ws["A5"] = _("Generated: %(at)s") % {"at": now.strftime("%Y-%m-%d %H:%M")}
    for cell in ("A2", "A3", "A4", "A5"):
        ws[cell].font = Font(color="555555")
    header = [_("Rank"), _("Name"), _("Points")]
    ws.append([])
    ws.append(header)
    fill = PatternFill("solid", fgColor="DDE7F3")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for r in ranking:
        ws.append([r.rank, r.name, r.points])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 10
    ws.freeze_panes = ws.cell(row=ws.max_row - len(ranking) + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
