"""Exports of KPI tables and rankings (.xlsx) and the monthly report (.pdf)."""

from django.urls import path

from . import views_exports

urlpatterns = [
    path("<str:code>/export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("<str:code>/report.pdf", views_exports.report_pdf, name="report_pdf"),
]
