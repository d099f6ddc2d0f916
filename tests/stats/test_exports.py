"""Exports: the KPI tables and rankings as .xlsx, the monthly report as a PDF with charts."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ContentStream

from shezhi.stats import exports
from shezhi.stats import kpis as k
from tests.factories import PASSWORD

from .conftest import MARCH
from .test_kpis import EXPECTED_MARCH

pytestmark = pytest.mark.django_db

MARCH_QUERY = {"from": "2026-03-01", "to": "2026-03-31"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
H = exports.HEADER_ROW


def get(client, user, code, what, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(f"/stats/{code}/{what}", params)


def sheet_of(resp):
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(resp.content))


def data_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=H + 1, values_only=True)]


def zh(msgid: str) -> str:
    """A string as the platform language shows it (the English until it is translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


# ---------------------------------------------------------------------------
# .xlsx


def test_the_kpi_table_of_a_grid_holds_the_kpis_of_the_one_definition(client, history, territory):
    grid = territory["grid"]
    resp = get(client, history.community, grid.code, "export.xlsx", table="kpis", **MARCH_QUERY)
    wb = sheet_of(resp)
    assert resp["Content-Disposition"] == (
        f'attachment; filename="{grid.code}_kpis_2026-03-01_2026-03-31.xlsx"'
    )
    ws = wb.worksheets[0]
    # What the table is: the area, the period, when it was made.
    assert grid.name in ws["A1"].value and grid.code in ws["A1"].value
    assert "2026-03-01" in ws["A2"].value and "2026-03-31" in ws["A2"].value
    assert "2026-03-03 13:00" in ws["A3"].value
    # One column per KPI in the definitions' order, then the grade.
    header = [c.value for c in ws[H]]
    with translation.override("zh-hans"):
        labels = [str(label) for label, _f in k.DEFINITIONS.values()]
    assert header[3:] == [*labels, zh("Grade")]
    assert ws.freeze_panes == f"D{H + 1}"

    result = k.area_kpis(grid, MARCH)
    rows = data_rows(ws)
    assert [r[0] for r in rows] == [grid.code] + [a.code for a, _kp in result.children]
    assert rows[0][1] == grid.name
    names = list(k.DEFINITIONS)
    first = dict(zip(names, rows[0][3:-1], strict=True))
    for name, value in EXPECTED_MARCH.items():
        assert first[name] == pytest.approx(value), name
    assert first["completion_rate"] == pytest.approx(4 / 6)
    assert first["satisfaction_rate"] == pytest.approx(0.725)
    assert rows[0][-1] == result.kpis.grade == "C"
    for (_child, kp), row in zip(result.children, rows[1:], strict=True):
        for name, value in zip(names, row[3:-1], strict=True):
            expected = getattr(kp, name)
            assert value == (None if expected is None else pytest.approx(expected)), name
    # Formats: rates are real numbers shown as percentages, hours with one decimal.
    col = {name: 4 + i for i, name in enumerate(names)}
    assert ws.cell(H + 1, col["completion_rate"]).number_format == "0.0%"
    assert ws.cell(H + 1, col["handling_hours_mean"]).number_format == "0.0"
    # micro2 had no events: its rates are empty cells, its count a real 0.
    micro2 = next(r for r in rows if r[0] == territory["micro2"].code)
    assert micro2[3] == 0 and micro2[3 + names.index("completion_rate")] is None
    assert ws.cell(H + 2, col["completion_rate"]).value is not None  # micro1

    # The definitions sheet explains every KPI by its formula.
    assert len(wb.worksheets) == 2
    notes = wb.worksheets[1]
    assert notes.title == zh("Definitions")
    cells = [c for row in notes.iter_rows(values_only=True) for c in row if c]
    for name, (_label, formula) in k.DEFINITIONS.items():
        assert name in cells and formula in cells
    assert any("A ≥ 90" in str(c) for c in cells)


def test_the_area_ranking_in_score_order(client, history, territory):
    resp = get(client, history.district, "510113", "export.xlsx", table="areas", **MARCH_QUERY)
    ws = sheet_of(resp).worksheets[0]
    assert resp["Content-Disposition"].endswith('"510113_areas_2026-03-01_2026-03-31.xlsx"')
    rows = data_rows(ws)
    assert [(r[0], r[1]) for r in rows] == [
        (1, territory["street1"].code),
        (2, territory["street2"].code),
    ]
    score = 4 + list(k.DEFINITIONS).index("score")
    assert rows[0][score] == pytest.approx(k.area_kpis(territory["street1"], MARCH).kpis.score)
    assert rows[1][score] is None  # nothing to judge: empty, ranked last
    assert "代码排序" in ws["A4"].value  # the tie rule is stated


def test_the_department_ranking(client, history, territory):
    resp = get(client, history.district, "510113", "export.xlsx", table="departments",
               **MARCH_QUERY)  # fmt: skip
    wb = sheet_of(resp)
    rows = data_rows(wb.worksheets[0])
    assert [r[1] for r in rows] == ["cg", "zj"]
    # cg: summoned once, reported in on time; one dispatch, bounced.
    rank, _code, name, summoned, on_time, late, missing, rate, _rating, disp, bounces, b_rate = (
        rows[0]
    )
    assert (rank, name, summoned, on_time, late, missing) == (1, "区城市管理局", 1, 1, 0, 0)
    assert (rate, disp, bounces, b_rate) == (1.0, 1, 1, 1.0)
    assert rows[1][7] is None  # zj was never summoned: no rate, an empty cell
    assert wb.worksheets[0].cell(H + 1, 8).number_format == "0.0%"


def test_the_worker_ranking(client, history, territory):
    resp = get(client, history.community, territory["community"].code, "export.xlsx",
               table="workers", **{"from": "2026-02-01", "to": "2026-03-31"})  # fmt: skip
    rows = data_rows(sheet_of(resp).worksheets[0])
    assert rows[0] == [1, "李明", 0, 8, 0, 8]


def test_no_table_means_the_kpi_table_of_this_year(client, history, territory):
    resp = get(client, history.district, "510113", "export.xlsx")
    assert resp["Content-Disposition"].endswith('"510113_kpis_2026-01-01_2026-03-03.xlsx"')
    rows = data_rows(sheet_of(resp).worksheets[0])
    assert rows[0][3] == 9  # every event of the history, February's G too


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"table": "everything"}, "未知的表 everything"),
        ({"from": "2026-02-30"}, "不是形如 2026-01-31 的日期"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "结束早于开始"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "最长为三年"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(client, history, params, message):
    resp = get(client, history.district, "510113", "export.xlsx", **params)
    assert resp.status_code == 400
    assert resp["Content-Type"].startswith("text/plain")
    assert message in resp.content.decode()


@pytest.mark.parametrize("what", ["export.xlsx", "report.pdf"])
def test_outside_scope_residents_and_strangers_get_404(client, history, territory, what):
    a = history
    street = territory["street1"].code
    assert get(client, a.community, street, what).status_code == 404
    assert get(client, a.other_district, "510113", what).status_code == 404
    assert get(client, a.resident, territory["micro1"].code, what).status_code == 404
    assert get(client, a.nobody, "510113", what).status_code == 404
    assert get(client, a.district, "999999", what).status_code == 404
    # Scope comes before the input: nothing is said about an area one cannot see.
    assert get(client, a.community, street, what, table="x", month="x").status_code == 404
    client.logout()
    resp = client.get(f"/stats/{street}/{what}")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------------------
# The monthly report


def pdf_of(resp) -> PdfReader:
    assert resp.status_code == 200, resp.content[:500]
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(resp.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 2) for i in (1, 3, 5))


def drawn(reader: PdfReader) -> tuple[Counter, Counter]:
    """Rectangles per fill colour and line segments per stroke colour, over every page."""
    rects: Counter = Counter()
    segments: Counter = Counter()
    for page in reader.pages:
        stack, fill, stroke = [], None, None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                stack.append((fill, stroke))
            elif op == b"Q" and stack:
                fill, stroke = stack.pop()
            elif op == b"rg":
                fill = tuple(round(float(x), 2) for x in operands)
            elif op == b"RG":
                stroke = tuple(round(float(x), 2) for x in operands)
            elif op == b"re":
                rects[fill] += 1
            elif op == b"l":
                segments[stroke] += 1
    return rects, segments


def test_the_monthly_report_of_a_grid(client, history, territory):
    grid = territory["grid"]
    resp = get(client, history.community, grid.code, "report.pdf", month="2026-03")
    assert resp["Content-Disposition"] == f'inline; filename="{grid.code}_report_2026-03.pdf"'
    reader = pdf_of(resp)
    assert 2 <= len(reader.pages) <= 6
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)  # A4
    text = text_of(reader)
    # Chinese renders (the CID font), with the area and the month in its title.
    assert grid.name in text and "2026年3月" in text
    assert territory["micro1"].name in text and "区城市管理局" in text
    # The headline figures, the same as the one definition.
    kp = k.area_kpis(grid, MARCH).kpis
    assert f"{100 * kp.completion_rate:.1f}%" in text  # 66.7%
    assert "72.5%" in text and f"{kp.score:.1f}" in text
    # The charts are real drawings: bars of the daily counts (2 and 3 March, and the
    # legend), a bar for the one category reported, the rate lines.
    rects, segments = drawn(reader)
    assert rects[rgb(exports.REPORTED_COLOUR)] >= 3
    assert rects[rgb(exports.CLOSED_COLOUR)] >= 2
    assert rects[rgb(exports.CATEGORY_COLOUR)] == 1
    assert segments[rgb(exports.COMPLETION_COLOUR)] >= 1
    with translation.override("zh-hans"):
        assert translation.gettext("No events were reported in this month.") not in text


def test_the_default_month_is_last_month(client, history, territory):
    # The history's clock stands on 3 March 2026: February, with its one event G.
    resp = get(client, history.district, "510113", "report.pdf")
    assert resp["Content-Disposition"] == 'inline; filename="510113_report_2026-02.pdf"'
    reader = pdf_of(resp)
    text = text_of(reader)
    assert "测试区" in text and "2026年2月" in text
    assert territory["street1"].name in text and territory["street2"].name in text
    rects, _segments = drawn(reader)
    assert rects[rgb(exports.CATEGORY_COLOUR)] == 1


def test_a_month_without_events_still_renders_and_says_so(client, history, territory):
    resp = get(client, history.community, territory["grid"].code, "report.pdf", month="2026-01")
    reader = pdf_of(resp)
    text = text_of(reader)
    assert territory["grid"].name in text and "2026年1月" in text
    assert text.count(zh("No events were reported in this month.")) == 2  # both charts
    rects, segments = drawn(reader)
    assert rects[rgb(exports.REPORTED_COLOUR)] == 0
    assert rects[rgb(exports.CATEGORY_COLOUR)] == 0
    assert segments[rgb(exports.COMPLETION_COLOUR)] == 0


def test_a_micro_grid_has_no_sub_areas_to_rank(client, history, territory):
    reader = pdf_of(get(client, history.mg_worker, territory["micro1"].code, "report.pdf",
                        month="2026-03"))  # fmt: skip
    assert zh("This area has no sub-areas.") in text_of(reader)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "不是形如 2026-03 的月份"),
        ("March", "不是形如 2026-03 的月份"),
        ("2026-03-01", "不是形如 2026-03 的月份"),
        ("0000-01", "不是形如 2026-03 的月份"),
        ("2026-04", "尚未开始"),
    ],
)
def test_a_bad_month_is_a_400_with_a_reason(client, history, month, message):
    resp = get(client, history.district, "510113", "report.pdf", month=month)
    assert resp.status_code == 400
    assert message in resp.content.decode()


def test_month_period():
    today = date(2026, 1, 15)
    assert exports.month_period("", today=today) == k.Period(date(2025, 12, 1), date(2026, 1, 1))
    assert exports.month_period("2024-02", today=today) == k.Period(
        date(2024, 2, 1), date(2024, 3, 1)
    )
    assert exports.month_period("2026-1", today=today).start == date(2026, 1, 1)
