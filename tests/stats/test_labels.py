"""One label per KPI definition: the dashboard, the monthly PDF, the spreadsheets and the
API name each figure by its ``stats.kpis.DEFINITIONS`` entry, and show the same number.

Before, the dashboard's card read "已处置（结案）" over the closed count while the PDF
printed "已处置" (handled) and "已结案" (closed) side by side: two numbers under one name.
"""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from shezhi.stats import kpis as k
from tests.factories import PASSWORD

from .conftest import MARCH

pytestmark = pytest.mark.django_db

DISTRICT = "510113"
MARCH_QUERY = {"from": "2026-03-01", "to": "2026-03-31"}


def labels() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {name: str(label) for name, (label, _f) in k.DEFINITIONS.items()}


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_handled_and_closed_are_two_kpis_with_two_labels(history):
    zh = labels()
    assert zh["handled"] == "已处置事件数" and zh["closed"] == "已结案事件数"
    assert len(set(zh.values())) == len(zh)  # no two definitions share a label
    from shezhi.areas.models import Area

    kp = k.area_kpis(Area.objects.get(code=DISTRICT), MARCH).kpis
    # March: A, B, E, F handled and closed; D and I accepted only; C deferred.
    assert (kp.reported, kp.handled, kp.closed) == (8, 4, 4)
    assert kp.as_dict()["handled"] == kp.totals["handled"]
    assert kp.as_dict()["closed"] == kp.totals["closed"]


def test_the_dashboard_names_each_figure_by_its_definition(client, history):
    zh = labels()
    client = signed_in(client, history.district)
    page = client.get(f"/stats/{DISTRICT}/", MARCH_QUERY).content.decode()
    assert "已处置（结案）" not in page
    for name in ("handled", "closed", "reported", "completion_rate", "satisfaction_rate"):
        assert zh[name] in page, name
    for path in (f"/stats/{DISTRICT}/", f"/stats/{DISTRICT}/wall/"):
        html = client.get(path, MARCH_QUERY).content.decode()
        # The handled card holds the handled figure under the handled label.
        card = html[html.index('data-card="handled"') :]
        card = card[: card.index("</div>")]
        assert zh["handled"] in card and 'data-figure="handled"' in card
        assert f'{zh["closed"]} <b data-figure="closed">' in card
    data = client.get(f"/stats/{DISTRICT}/data.json", MARCH_QUERY).json()
    assert (data["headline"]["handled"], data["headline"]["closed"]) == (4, 4)
    assert data["kpis"]["handled"] == 4 and data["kpis"]["closed"] == 4


def test_the_pdf_the_spreadsheet_and_the_api_use_the_same_labels(client, history, territory):
    zh = labels()
    client = signed_in(client, history.district)
    pdf = client.get(f"/stats/{DISTRICT}/report.pdf", {"month": "2026-03"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for name in ("reported", "handled", "closed"):
        assert zh[name] in text, name
    assert "已处置\n" not in text and "其中已结案" not in text

    xlsx = client.get(f"/stats/{DISTRICT}/export.xlsx", {"table": "kpis", **MARCH_QUERY})
    ws = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    header = [c.value for c in ws[5]]
    row = [c.value for c in ws[6]]
    for name in ("handled", "closed"):
        assert row[header.index(zh[name])] == 4, name

    api = client.get("/api/v1/stats/kpis", {"area": DISTRICT, **MARCH_QUERY}).json()
    assert (api["kpis"]["handled"], api["kpis"]["closed"]) == (4, 4)
    definitions = {d["name"]: d["label"] for d in client.get("/api/v1/stats/definitions").json()}
    assert definitions["handled"] == zh["handled"] and definitions["closed"] == zh["closed"]


def test_every_model_and_field_name_of_the_project_reads_in_chinese():
    """The admin and every form built on a model name things in Chinese: no verbose name of
    a project model or its fields is left in English (the reporting period's were)."""
    import re

    from django.apps import apps
    from django.utils.functional import Promise

    han = re.compile(r"[\u4e00-\u9fff]")
    untranslated = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if not model.__module__.startswith("shezhi."):
                continue
            names = [("", model._meta.verbose_name), ("", model._meta.verbose_name_plural)]
            names += [
                (f.name, f.verbose_name)
                for f in model._meta.get_fields()
                if getattr(f, "verbose_name", None) and not f.auto_created
            ]
            for field, name in names:
                # Marked for translation (a lazy string), yet read in English.
                if isinstance(name, Promise) and not han.search(str(name)):
                    untranslated.append(f"{model._meta.label}.{field}: {name}")
    assert untranslated == []
