"""Exports of KPI tables and rankings (.xlsx) and the monthly report (.pdf)."""

urlpatterns: list = []
