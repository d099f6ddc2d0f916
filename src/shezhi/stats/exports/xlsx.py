"""Any exported table as an .xlsx workbook, with a sheet of its definitions."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.periods import Period

from ..kpis import DEFINITIONS
from .tables import HEADER_ROW, Table, general_notes, period_text, table_for

XLSX_FORMATS = {
    "int": "0",
    "rate": "0.0%",
    "hours": "0.0",
    "score": "0.0",
    "rating": "0.00",
}


# ---------------------------------------------------------------------------
# .xlsx


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


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
