"""The command dashboard's pages and data: scoped, the same numbers as stats.kpis, clear
refusals of bad periods."""

from __future__ import annotations

import re

import pytest

from shezhi.events.models import Event
from shezhi.stats import kpis as k
from tests.factories import PASSWORD, make_user

from .conftest import MARCH
from .test_kpis import EXPECTED_MARCH

pytestmark = pytest.mark.django_db

DISTRICT = "510113"
STREET1 = "510113001"
STREET2 = "510113002"
COMMUNITY = "510113001001"
GRID = "510113001001001"
MICRO1 = "510113001001001001"
IN_MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def get(client, user, path, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(path, params)


def as_json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


# ---------- who may see what ----------


@pytest.mark.parametrize(
    "path",
    [
        "/stats/",
        f"/stats/{DISTRICT}/",
        f"/stats/{DISTRICT}/data.json",
        f"/stats/{DISTRICT}/heat.json",
        f"/stats/{DISTRICT}/wall/",
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in(client, territory, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/")


def test_stats_home_goes_to_the_users_top_area(client, history, territory):
    a = history
    for user, code in (
        (a.district, DISTRICT),
        (a.street, STREET1),
        (a.community, COMMUNITY),
        (a.grid_worker, GRID),
        (a.mg_worker, MICRO1),
        (a.dept_cg, DISTRICT),
    ):
        resp = get(client, user, "/stats/")
        assert resp.status_code == 302, user
        assert resp["Location"] == f"/stats/{code}/", user
    root = make_user("root", is_superuser=True, is_staff=True)
    assert get(client, root, "/stats/")["Location"] == f"/stats/{DISTRICT}/"
    # A resident and someone without a role have no statistics: 404.
    assert get(client, a.resident, "/stats/").status_code == 404
    assert get(client, a.nobody, "/stats/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "data.json", "heat.json", "wall/"])
def test_areas_outside_scope_answer_404(client, history, suffix):
    a = history
    for user, code in (
        (a.street, DISTRICT),  # above the user's street
        (a.street, STREET2),  # beside it
        (a.community, STREET1),
        (a.other_district, DISTRICT),  # another district
        (a.resident, MICRO1),  # residents see no statistics, even of their own grid
        (a.nobody, MICRO1),
        (a.district, "999999"),  # no such area
    ):
        resp = get(client, user, f"/stats/{code}/{suffix}")
        assert resp.status_code == 404, (user.username, code, suffix)


def test_the_page_is_a_shell_for_the_users_area(client, history):
    resp = get(client, history.street, f"/stats/{STREET1}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert resp.context["area"].code == STREET1
    # This month by default (the history's clock stands at 3 March 2026).
    assert 'data-data-url="/stats/510113001/data.json?from=2026-03-01&amp;to=2026-03-03"' in html
    assert 'data-boundaries-url="/api/v1/areas/510113001/children/boundaries"' in html
    assert 'data-testid="dash-period">2026-03-01 – 2026-03-03<' in html
    # Its breadcrumb names the district, unlinked: above the street's scope.
    crumbs = resp.context["crumbs"]
    assert [(c["area"].code, c["linked"]) for c in crumbs] == [(DISTRICT, False)]
    # A district admin's crumbs link back up.
    resp = get(client, history.district, f"/stats/{COMMUNITY}/")
    assert [(c["area"].code, c["linked"]) for c in resp.context["crumbs"]] == [
        (DISTRICT, True),
        (STREET1, True),
    ]
    assert f'href="/stats/{STREET1}/?from=2026-03-01&amp;to=2026-03-03"' in resp.content.decode()
    # No inline script: only static files.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    # The exports of what the page shows, for its period.
    assert (
        f'href="/stats/{STREET1}/export.xlsx?table=kpis&amp;from=2026-03-01&amp;to=2026-03-03"'
        in html
    )
    assert f'href="/stats/{STREET1}/export.xlsx?table=areas&amp;from=2026-03-01' in html
    assert f'href="/stats/{STREET1}/report.pdf?month=2026-03"' in html


def test_the_period_presets(client, history):
    resp = get(client, history.street, f"/stats/{STREET1}/", **{"from": "2026-02-01",
                                                                  "to": "2026-02-28"})  # fmt: skip
    assert resp.status_code == 200
    presets = {p["key"]: p["query"] for p in resp.context["presets"]}
    assert presets == {
        "month": "?from=2026-03-01&to=2026-03-03",
        "last_month": "?from=2026-02-01&to=2026-02-28",
        "year": "?from=2026-01-01&to=2026-03-03",
    }
    assert resp.context["active_preset"] == "last_month"
    html = resp.content.decode()
    assert 'data-preset="last_month" aria-current="true"' in html
    # The map's KPI travels in every preset link; an unknown one falls back to the score.
    resp = get(client, history.street, f"/stats/{STREET1}/", kpi="satisfaction_rate")
    assert resp.context["presets"][1]["query"].endswith("&kpi=satisfaction_rate")
    assert get(client, history.street, f"/stats/{STREET1}/", kpi="bogus").context["kpi"] == "score"


def test_a_micro_grid_has_nothing_to_drill_into(client, history):
    resp = get(client, history.mg_worker, f"/stats/{MICRO1}/")
    assert resp.status_code == 200
    assert resp.context["boundaries_url"] == ""
    assert 'data-boundary-url="/api/v1/areas/510113001001001001/boundary"' in (
        resp.content.decode()
    )
    body = as_json(get(client, history.mg_worker, f"/stats/{MICRO1}/data.json", **IN_MARCH))
    assert body["children"] == []
    assert body["area"]["has_children"] is False


# ---------- bad periods ----------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-30"}, "不是形如 2026-01-31 的日期"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "结束早于开始"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "最长为三年"),
    ],
)
def test_a_bad_period_is_refused_clearly(client, history, params, message):
    for suffix in ("data.json", "heat.json"):
        resp = get(client, history.street, f"/stats/{STREET1}/{suffix}", **params)
        assert resp.status_code == 400
        body = resp.json()
        assert message in body["detail"] and body["field"] == "period"
    # The page shows the message beside the period picker (and fetches nothing).
    for suffix in ("", "wall/"):
        resp = get(client, history.street, f"/stats/{STREET1}/{suffix}", **params)
        assert resp.status_code == 400
        html = resp.content.decode()
        assert 'data-testid="period-error"' in html and message in html
        assert 'data-data-url=""' in html


# ---------- the numbers ----------


def test_data_matches_the_one_kpi_definition(client, history, territory):
    resp = get(client, history.district, f"/stats/{GRID}/data.json", **IN_MARCH)
    assert resp.status_code == 200
    assert resp["Cache-Control"].startswith("max-age=0")
    body = as_json(resp)
    assert body["area"]["code"] == GRID
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    for name, value in EXPECTED_MARCH.items():
        assert body["kpis"][name] == pytest.approx(value), name
    assert body["kpis"]["completion_rate"] == pytest.approx(4 / 6)
    expected = k.area_kpis(territory["grid"], MARCH)
    assert body["kpis"]["score"] == pytest.approx(expected.kpis.score)
    assert body["kpis"]["grade"] == "C"
    # The headline: the article's figures.
    head = body["headline"]
    assert head["reported"] == 8 and head["closed"] == 4
    assert head["completion_rate"] == pytest.approx(4 / 6)
    assert head["satisfaction_rate"] == pytest.approx(2.9 / 4)
    assert (head["score"], head["grade"]) == (pytest.approx(expected.kpis.score), "C")
    # Inside the grid: micro-grids 001, 002 and the dedicated school.
    assert {g["key"]: g["n"] for g in head["grids"]} == {"micro_grid": 3}
    assert head["dedicated_micro_grids"] == 1
    # One person on the roster: the micro-grid worker (part-time force).
    forces = {f["key"]: f["n"] for f in head["workforce"]["force_types"]}
    assert head["workforce"]["total"] == 1 and forces["part_time"] == 1
    assert set(forces) == {"professional", "full_time", "part_time", "service",
                           "self_governance"}  # fmt: skip
    # The children, with the same numbers as area_kpis' children.
    children = {c["code"]: c for c in body["children"]}
    assert list(children) == [c.code for c, _kp in expected.children]
    for child, kp in expected.children:
        assert children[child.code]["kpis"]["reported"] == kp.reported
        assert children[child.code]["kpis"]["completion_rate"] == kp.completion_rate
    assert children[MICRO1]["kpis"]["reported"] == 8
    assert children[MICRO1]["has_children"] is False
    # A day per point over a month; the cohort of each day.
    points = body["trend"]["points"]
    assert body["trend"]["monthly"] is False and len(points) == 31
    by_day = {p["date"]: p for p in points}
    assert by_day["2026-03-02"]["reported"] == 7 and by_day["2026-03-03"]["reported"] == 1
    assert by_day["2026-03-03"]["closed"] == 1
    assert by_day["2026-03-04"]["completion_rate"] is None
    # Every event in March is of 0101 (暴露垃圾).
    assert [(c["code"], c["n"]) for c in body["top_categories"]] == [("0101", 8)]


def test_a_district_agrees_with_its_street(client, history):
    district = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json", **IN_MARCH))
    street = as_json(get(client, history.street, f"/stats/{STREET1}/data.json", **IN_MARCH))
    assert district["kpis"] == street["kpis"]
    streets = {c["code"]: c["kpis"] for c in district["children"]}
    assert streets[STREET2]["score"] is None and streets[STREET2]["reported"] == 0
    grids = {g["key"]: g["n"] for g in district["headline"]["grids"]}
    assert grids == {"street": 2, "community": 2, "general_grid": 2, "micro_grid": 3}
    # A year: one point per month.
    year = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json",
                       **{"from": "2026-01-01", "to": "2026-12-31"}))  # fmt: skip
    assert year["trend"]["monthly"] is True
    assert [p["date"] for p in year["trend"]["points"]][:3] == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
    ]
    assert [p["reported"] for p in year["trend"]["points"]][1:3] == [1, 8]


def test_the_default_period_is_this_month(client, history):
    body = as_json(get(client, history.street, f"/stats/{STREET1}/data.json"))
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-03"}
    assert body["kpis"]["reported"] == 8


def test_red_and_yellow_lists(client, history, territory):
    # At 13:00 on 3 March: D and I were left open past their deadlines on 2 March.
    body = as_json(get(client, history.community, f"/stats/{COMMUNITY}/data.json"))
    red = body["red"]
    assert red["total"] == 2 and red["capped"] is False
    open_late = Event.objects.filter(state=Event.State.ACCEPTED).order_by("deadline_at", "id")
    assert [r["id"] for r in red["rows"]] == [e.pk for e in open_late]
    first = red["rows"][0]
    assert first["url"] == f"/events/{first['id']}/"
    assert first["area_code"] == MICRO1 and first["category"] == "暴露垃圾"
    assert first["minutes"] > 60 * 20  # 14:50 yesterday → 13:00 today
    assert body["yellow"] == {"total": 0, "capped": False, "rows": []}
    # One dispatched this morning has used 80 % of its working time: yellow.
    a = history
    from tests.events.conftest import report
    from tests.stats.conftest import step, t

    ev = report(a.resident, at=t("03-03", "09:00"), point=(104.03, 30.62))
    step(a.community, ev, "register", t("03-03", "09:05"))
    step(a.community, ev, "dispatch", t("03-03", "09:10"), target="worker")
    Event.objects.filter(pk=ev.pk).update(
        warn_at=t("03-03", "12:00"), deadline_at=t("03-03", "15:00")
    )
    body = as_json(get(client, history.community, f"/stats/{COMMUNITY}/data.json"))
    assert [r["id"] for r in body["yellow"]["rows"]] == [ev.pk]
    assert body["yellow"]["rows"][0]["minutes"] > 0
    # Another street's staff never see them; department staff see the rows unlinked.
    assert get(client, a.community2, f"/stats/{COMMUNITY}/data.json").status_code == 404
    body = as_json(get(client, a.dept_cg, f"/stats/{DISTRICT}/data.json"))
    assert body["red"]["total"] == 2
    assert {r["url"] for r in body["red"]["rows"]} == {None}


def test_the_lists_are_bounded(client, history, territory, monkeypatch):
    from shezhi.stats import selectors

    monkeypatch.setattr(selectors, "DASHBOARD_COUNT_CAP", 1)
    found = selectors.sla_lists(territory["district"], limit=1)
    assert len(found["red"].events) == 1
    assert (found["red"].total, found["red"].capped) == (1, True)


def within(value: float, low: float, size: float) -> bool:
    return low - 1e-9 <= value <= low + size + 1e-9


def test_heat_cells_count_the_periods_events(client, history, territory):
    # Inside a community: each event where it was reported.
    resp = get(client, history.community, f"/stats/{COMMUNITY}/heat.json", **IN_MARCH)
    assert resp.status_code == 200
    body = resp.json()
    assert body["resolution"] == "event"
    # The cohort of the KPIs: the eight reported in March (H, voided, included).
    assert body["total"] == 8 == sum(c[2] for c in body["cells"])
    west, south, east, north = body["bbox"]
    assert (west, south, east, north) == (104.0, 30.6, 104.1, 30.8)
    assert len(body["cells"]) <= 40 * 40
    assert body["cell"]["lat"] == pytest.approx(0.2 / 40)
    for cell_south, cell_west, n in body["cells"]:
        assert south <= cell_south < north and west <= cell_west < east and n > 0
    # All of them lie in micro-grid 1 (lng 104.00–104.05), along lat 30.62 (a cell's edge).
    for cell_south, cell_west, _n in body["cells"]:
        assert cell_west < 104.05 and within(30.62, cell_south, body["cell"]["lat"])
    assert body["max"] == max(c[2] for c in body["cells"])
    # Above communities: each event at the centre of its micro-grid (from the facts).
    street = get(client, history.street, f"/stats/{STREET1}/heat.json", **IN_MARCH).json()
    assert street["resolution"] == "micro_grid"
    assert street["total"] == 8 and street["max"] == 8 and len(street["cells"]) == 1
    (cell_south, cell_west, _n), size = street["cells"][0], street["cell"]
    # micro1's centre, (104.025, 30.65), in that cell (or on its edge).
    assert within(104.025, cell_west, size["lng"]) and within(30.65, cell_south, size["lat"])
    feb = get(client, history.street, f"/stats/{STREET1}/heat.json",
              **{"from": "2026-02-01", "to": "2026-02-28"}).json()  # fmt: skip
    assert feb["total"] == 1
    empty = get(client, history.district, f"/stats/{STREET2}/heat.json", **IN_MARCH).json()
    assert empty["cells"] == [] and empty["max"] == 0 and empty["total"] == 0


def test_the_wall(client, history):
    resp = get(client, history.street, f"/stats/{STREET1}/wall/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-refresh-seconds="60"' in html
    assert 'class="site-header"' not in html  # no navigation chrome
    assert 'data-data-url="/stats/510113001/data.json?from=2026-03-01&amp;to=2026-03-03"' in html
    assert resp.context["refresh_seconds"] == 60
    assert (
        get(client, history.street, f"/stats/{STREET1}/wall/", refresh="5").context[
            "refresh_seconds"
        ]
        == 5
    )
    assert (
        get(client, history.street, f"/stats/{STREET1}/wall/", refresh="x").context[
            "refresh_seconds"
        ]
        == 60
    )
    assert (
        get(client, history.street, f"/stats/{STREET1}/wall/", refresh="0").context[
            "refresh_seconds"
        ]
        == 1
    )


def test_the_header_links_staff_to_the_dashboard(client, history):
    html = get(client, history.street, f"/stats/{STREET1}/").content.decode()
    assert 'data-testid="nav-dashboard"' in html and 'href="/stats/"' in html
    html = get(client, history.resident, "/events/mine/").content.decode()
    assert 'data-testid="nav-dashboard"' not in html


# ---------- named periods (the demo's year) ----------


def test_a_default_named_period_is_what_the_dashboard_opens_on(client, history, territory):
    from datetime import date

    from shezhi.stats import services
    from shezhi.stats.models import ReportingPeriod

    named = services.save_reporting_period(
        area=territory["district"], label="演示年度", start=date(2025, 3, 3),
        last=date(2026, 3, 2), is_default=True,
    )  # fmt: skip
    # The district's dashboard and a street's below it open on it, and offer it.
    for code in (DISTRICT, STREET1):
        page = get(client, history.district, f"/stats/{code}/").content.decode()
        assert "2025-03-03 – 2026-03-02" in page, code
        assert re.search(r'data-preset="named-\d+" aria-current="true"', page), code
        assert "演示年度" in page
    data = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json"))
    assert data["period"] == {"start": "2025-03-03", "end": "2026-03-02"}
    # Its figures: the year's cohort (G on 27 February, A–E, H and I on 2 March; of them
    # G, A, B and E handled).
    kp = k.area_kpis(territory["district"], k.Period(named.start, date(2026, 3, 3))).kpis
    assert data["headline"]["handled"] == kp.handled == 4
    assert data["headline"]["completion_rate"] == kp.completion_rate
    # An explicit period still wins; this month stays a preset.
    data = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json", **IN_MARCH))
    assert data["period"]["start"] == "2026-03-01"
    # Another default replaces it (one default per area).
    services.save_reporting_period(
        area=territory["district"], label="考核年度", start=date(2026, 1, 1),
        last=date(2026, 12, 31), is_default=True,
    )  # fmt: skip
    defaults = ReportingPeriod.objects.filter(is_default=True)
    assert list(defaults.values_list("label", flat=True)) == ["考核年度"]
    data = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json"))
    assert data["period"] == {"start": "2026-01-01", "end": "2026-03-03"}  # up to today


def test_without_a_named_period_the_dashboard_opens_on_this_month(client, history):
    data = as_json(get(client, history.district, f"/stats/{DISTRICT}/data.json"))
    assert data["period"] == {"start": "2026-03-01", "end": "2026-03-03"}
