"""Exports of the statistics: any KPI table or ranking as .xlsx, a monthly report as a PDF.

Nothing here computes a KPI: every figure comes from ``stats.kpis`` (``area_kpis``
and its ``Kpis``) and the scoped reads of ``stats.selectors``; this package only
lays them out. Callers check the user's scope first (``get_statistics_area``).

The PDF is drawn with ReportLab: pure Python, charts from ``reportlab.graphics``
(vector drawings, no images), Chinese in the built-in CID font ``STSong-Light``
(every PDF reader has it; nothing is embedded or downloaded).

``tables`` builds the tables both formats share; ``xlsx`` and ``pdf`` lay them out.
"""

from .pdf import (
    CATEGORY_COLOUR,
    CLOSED_COLOUR,
    COMPLETION_COLOUR,
    REPORTED_COLOUR,
    SATISFACTION_COLOUR,
    month_label,
    month_period,
    monthly_report,
    pdf_filename,
)
from .tables import HEADER_ROW, TABLES, Column, Table, period_text, table_for
from .xlsx import workbook, xlsx_filename

__all__ = [
    "CATEGORY_COLOUR",
    "CLOSED_COLOUR",
    "COMPLETION_COLOUR",
    "HEADER_ROW",
    "REPORTED_COLOUR",
    "SATISFACTION_COLOUR",
    "TABLES",
    "Column",
    "Table",
    "month_label",
    "month_period",
    "monthly_report",
    "pdf_filename",
    "period_text",
    "table_for",
    "workbook",
    "xlsx_filename",
]
