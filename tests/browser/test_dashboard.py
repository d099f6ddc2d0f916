"""The command dashboard (驾驶舱) in a real browser: figures, charts, the map's drill-down,
the period picker, a phone, and the wall display refreshing itself."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import _new_page

# The KPI tests' month of history (the clock stands at 13:00 on 3 March 2026).
from tests.events.conftest import actors  # noqa: F401
from tests.stats.conftest import history  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISTRICT = "510113"
STREET1 = "510113001"
STREET2 = "510113002"
WALL = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def _session_cookie_without_date(settings):
    # The server's clock is frozen in March 2026: a dated session cookie would
    # already have expired by the browser's own clock.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def wait_ready(page) -> None:
    page.wait_for_selector("#dashboard[data-state=ready]")
    page.wait_for_selector("#dash-map[data-state=ready]")


def figure(page, name: str) -> str:
    return page.locator(f".dash-figures [data-figure={name}]").first.inner_text().strip()


def test_the_district_dashboard_drills_down_and_changes_period(
    page,
    console,
    sign_in,
    history,  # noqa: F811
    live_server,
    shots_dir,
):
    sign_in(page, "district", next_path="/stats/")
    assert page.url.endswith(f"/stats/{DISTRICT}/")
    wait_ready(page)
    # The headline figures of March so far: 8 reported, 4 closed, 4 of 6 due (66.7 %).
    assert figure(page, "reported") == "8"
    assert figure(page, "closed") == "4"
    assert figure(page, "completion_rate") == "66.7%"
    assert figure(page, "satisfaction_rate") == "72.5%"
    assert figure(page, "grade") == "C"
    grids = page.locator(".dash-figures [data-figure=grids]")
    assert grids.locator("[data-count=community]").inner_text() == "2"
    assert grids.locator("[data-count=micro_grid]").inner_text() == "3"
    workforce = page.locator(".dash-figures [data-figure=workforce]")
    assert workforce.locator("[data-count=part_time]").inner_text() == "1"
    # ECharts drew the charts on canvases.
    for name in ("trend", "ranking", "categories"):
        assert page.locator(f"[data-chart={name}] svg").count() >= 1, name
    # The red list: D and I, open past their deadlines, linked to their pages.
    red = page.locator("[data-list=red] .sla-row")
    assert red.count() == 2
    assert page.locator("[data-list-total=red]").first.inner_text() == "2"
    assert re.fullmatch(r"/events/\d+/", red.first.locator("a").get_attribute("href"))
    # The map: the two streets, street 1 coloured by its score (C: yellow), street 2
    # grey (nothing to judge), with the legend.
    assert page.locator("#dash-map").get_attribute("data-shapes") == "2"
    street1 = page.locator(f"#dash-map path.area-code-{STREET1}")
    street2 = page.locator(f"#dash-map path.area-code-{STREET2}")
    assert street1.get_attribute("data-fill") == "#e0b300"
    assert street2.get_attribute("data-fill") == "#b8c0c8"
    assert page.locator("#dash-legend [data-legend=none]").is_visible()
    # The children's table agrees.
    row = page.locator(f"[data-rows=children] tr[data-code='{STREET1}']")
    assert row.locator("[data-kpi=reported]").inner_text() == "8"
    page.screenshot(path=os.path.join(shots_dir, "stats-dashboard-district.png"), full_page=True)

    # Colour by the on-time rate instead (2 of 6: red); the choice is kept in the address.
    page.select_option("[data-testid=kpi-select]", "on_time_rate")
    assert "kpi=on_time_rate" in page.url
    assert street1.get_attribute("data-fill") == "#c62828"
    chosen = page.locator("[data-testid=kpi-select] option:checked").inner_text()
    assert page.locator("#dash-legend .legend-title").inner_text() == chosen
    # The density layer: cells from heat.json.
    page.check("[data-testid=layer-heat]")
    page.wait_for_selector("#dash-map[data-heat=ready]")
    assert int(page.locator("#dash-map").get_attribute("data-heat-cells")) >= 1
    page.check("[data-testid=layer-kpi]")

    # Click street 1 on the map: its own dashboard, its communities on the map.
    with page.expect_navigation():
        street1.click()
    assert f"/stats/{STREET1}/" in page.url and "kpi=on_time_rate" in page.url
    wait_ready(page)
    assert page.locator("[data-testid=dash-area]").inner_text().startswith("东风街道")
    assert page.locator("#dash-map").get_attribute("data-shapes") == "2"
    assert page.locator("#dash-map path.area-code-510113001001").count() == 1
    # The breadcrumb goes back up.
    assert page.locator(f"[data-testid=crumbs] a[data-code='{DISTRICT}']").count() == 1

    # The period picker: last month (February) holds one event, closed.
    with page.expect_navigation():
        page.click("[data-preset=last_month]")
    assert "from=2026-02-01" in page.url and "to=2026-02-28" in page.url
    wait_ready(page)
    assert figure(page, "reported") == "1"
    assert figure(page, "closed") == "1"
    assert figure(page, "completion_rate") == "100.0%"
    assert page.locator("[data-preset=last_month]").get_attribute("aria-current") == "true"
    # A custom range: 2 March alone.
    page.fill("[data-testid=period-from]", "2026-03-02")
    page.fill("[data-testid=period-to]", "2026-03-02")
    with page.expect_navigation():
        page.click("[data-testid=period-apply]")
    wait_ready(page)
    assert figure(page, "reported") == "7"
    # A range that ends before it starts: said beside the picker, nothing fetched.
    page.fill("[data-testid=period-from]", "2026-03-05")
    page.fill("[data-testid=period-to]", "2026-03-01")
    with page.expect_navigation():
        page.click("[data-testid=period-apply]")
    with translation.override("zh-hans"):
        message = gettext("The period ends before it starts.")
    assert message in page.locator("[data-testid=period-error]").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "stats-dashboard-bad-period.png"))
    # The document's own 400 is the only complaint.
    assert console.clean(allow=("status of 400",)) == []


def test_the_dashboard_on_a_phone(
    phone_page,
    console,
    sign_in,
    history,  # noqa: F811
    live_server,
    shots_dir,
):
    page = phone_page
    sign_in(page, "street", next_path=f"/stats/{STREET1}/")
    wait_ready(page)
    assert figure(page, "reported") == "8"
    assert page.locator("[data-chart=trend] svg").count() >= 1
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "stats-dashboard-phone.png"), full_page=True)
    # A community's dashboard, by the children's table's link.
    with page.expect_navigation():
        page.locator("[data-rows=children] a.drill").first.click()
    assert "/stats/510113001001/" in page.url
    wait_ready(page)
    no_sideways_scroll(page)
    assert console.clean() == []


def test_the_wall_display_refreshes_itself(
    chromium,
    console,
    sign_in,
    history,  # noqa: F811
    live_server,
    shots_dir,
):
    context, page = _new_page(chromium, console, viewport=WALL)
    try:
        sign_in(page, "district")
        requests = []
        page.on(
            "request",
            lambda r: requests.append(r.url) if "/data.json" in r.url else None,
        )
        page.goto(f"{live_server.url}/stats/{DISTRICT}/wall/?refresh=2")
        wait_ready(page)
        assert page.locator(".site-header").count() == 0  # no navigation chrome
        # Big figures.
        value = page.locator(".dash-figures [data-figure=closed]")
        assert value.inner_text() == "4"
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.wall .fig-value')).fontSize)"
        )
        assert size >= 48
        # It fills the screen without scrolling.
        assert page.evaluate("document.documentElement.scrollHeight") <= WALL["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= WALL["width"]
        for name in ("trend", "ranking", "categories"):
            assert page.locator(f"[data-chart={name}] svg").count() >= 1, name
        page.screenshot(path=os.path.join(shots_dir, "stats-wall-1920x1080.png"))
        # It asks for its data again on its own (every 2 s here, 60 s by default).
        page.wait_for_selector("#dashboard[data-refreshes='1']", timeout=10_000)
        assert len(requests) >= 2
        assert page.locator("[data-updated]").inner_text().strip() != ""
        assert console.clean() == []
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The wall display at 1366×768 and 1920×1080, with a district of eight streets

EIGHT = "510121"
STREET_NAMES = (
    "大弯街道",
    "红阳街道",
    "大同街道",
    "弥牟镇",
    "城厢镇",
    "姚渡镇",
    "清泉镇",
    "福洪镇",
)
WALL_SIZES = ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080})


@pytest.fixture
def eight_streets(db):
    """A district of eight streets whose month so far is summed in the daily rollups (one
    street at 100 %, whose bar label is the widest), and the district's administrator."""
    from datetime import timedelta

    from django.utils import timezone

    from shezhi.events.models import Category
    from shezhi.stats.counters import COUNTERS
    from shezhi.stats.models import CategoryRollup, DailyRollup
    from tests.factories import make_area, make_user, square

    district = make_area(None, EIGHT, "八街区", square(105.0, 30.0, 105.8, 30.4))
    streets = []
    for i, name in enumerate(STREET_NAMES):
        district.refresh_from_db()
        lng = 105.0 + 0.1 * i
        streets.append(
            make_area(district, f"{EIGHT}{i + 1:03d}", name, square(lng, 30.0, lng + 0.1, 30.4))
        )
    today = timezone.localdate()
    days = [today.replace(day=1) + timedelta(days=d) for d in range(today.day)]
    categories = list(Category.objects.filter(parent__isnull=False).order_by("code")[:10])
    rollups, by_category = [], []
    for i, street in enumerate(streets):
        for n, day in enumerate(days):
            c = dict.fromkeys(COUNTERS, 0)
            reported = 40 + 7 * i + n % 5
            closed = reported if i == 0 else reported - 1 - i  # street 1: 100 %
            c.update(reported=reported, registered=reported, dispatched=reported,
                     handled=closed, due=reported, closed=closed, on_time=closed - (i % 3),
                     overdue=reported - closed + (i % 3), accurate=reported, responded=reported,
                     rated=20, satisfied=18 - (i % 4), basically_satisfied=1 + (i % 4),
                     unsatisfied=1, resolved=closed, in_grid=closed // 2)  # fmt: skip
            rollups.append(DailyRollup(path=street.path, day=day, **c))
            for j, cat in enumerate(categories):
                by_category.append(
                    CategoryRollup(path=street.path, day=day, category=cat, reported=30 - 2 * j)
                )
    DailyRollup.objects.bulk_create(rollups)
    CategoryRollup.objects.bulk_create(by_category)
    make_user("eight_admin", role="district_admin", area=district)
    return streets


OVERFLOWING = """() => [...document.querySelectorAll('.wall .fig, .wall .dash-card')]
  .filter((n) => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1)
  .map((n) => (n.dataset.card || n.className) + ' ' + n.scrollWidth + 'x' + n.scrollHeight
              + ' in ' + n.clientWidth + 'x' + n.clientHeight)"""

CHART_TEXTS = """(name) => {
  const node = document.querySelector('.wall [data-chart=' + name + ']');
  const box = node.getBoundingClientRect();
  return [...node.querySelectorAll('svg text')].map((t) => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, inside: r.left >= box.left - 1 && r.right <= box.right + 1
            && r.top >= box.top - 1 && r.bottom <= box.bottom + 1};
  });
}"""


@pytest.mark.parametrize("size", WALL_SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_wall_fits_its_screen(chromium, console, sign_in, eight_streets, live_server,
                                  shots_dir, size):  # fmt: skip
    context, page = _new_page(chromium, console, viewport=size)
    try:
        sign_in(page, "eight_admin")
        page.goto(f"{live_server.url}/stats/{EIGHT}/wall/?kpi=completion_rate")
        wait_ready(page)
        page.wait_for_timeout(300)  # the charts' layout after the data
        page.screenshot(path=os.path.join(shots_dir, f"stats-wall-{size['width']}.png"))
        # Nothing scrolls, and no figure or chart spills out of its card.
        assert page.evaluate("document.documentElement.scrollHeight") <= size["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert page.evaluate(OVERFLOWING) == []
        # The trend has room to be read.
        trend = page.locator(".wall [data-chart=trend]").bounding_box()
        assert trend["height"] >= 0.2 * size["height"], trend
        # Every street in the comparison, each value label whole inside the chart.
        ranking = page.evaluate(CHART_TEXTS, "ranking")
        shown = {t["text"] for t in ranking}
        assert set(STREET_NAMES) <= shown, shown
        assert "100.0%" in shown  # street 1, the widest value label
        clipped = [t["text"] for t in ranking if not t["inside"]]
        assert clipped == []
        categories = page.evaluate(CHART_TEXTS, "categories")
        assert [t["text"] for t in categories if not t["inside"]] == []
        assert console.clean() == []
    finally:
        context.close()


NAMED_MAP = """() => [...document.querySelectorAll('#dash-map')].map((n) => ({
  role: n.getAttribute('role'), name: n.getAttribute('aria-label') || ''}))"""
INTERACTIVE_IN_IMG = """() => [...document.querySelectorAll('[role=img]')].filter((n) =>
  n.querySelector('a[href], button, input, select, textarea, [tabindex]')).length"""


def test_maps_and_charts_have_text(
    page,
    console,
    sign_in,
    history,  # noqa: F811
    live_server,
    shots_dir,
):
    sign_in(page, "district", next_path=f"/stats/{DISTRICT}/")
    wait_ready(page)
    # The map is a named region (it holds the zoom buttons: never role=img).
    ((found,),) = [page.evaluate(NAMED_MAP)]
    assert found["role"] == "region" and "地图" in found["name"]
    assert page.evaluate(INTERACTIVE_IN_IMG) == 0
    # Every chart has its figures as a table in a <details>, reachable by keyboard.
    for name in ("trend", "ranking", "categories"):
        details = page.locator(f"[data-chart-table={name}]")
        assert details.count() == 1, name
        summary = details.locator("summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is not None, name
    trend = page.locator("[data-table-rows=trend] tr")
    assert trend.count() == 3  # 1, 2 and 3 March (the period so far)
    assert trend.nth(1).locator("th").inner_text() == "2026-03-02"
    assert trend.nth(1).locator("td").first.inner_text() == "7"
    # The parts with a score (street 2 has nothing to judge): street 1 with its grade's score.
    ranking = page.locator("[data-table-rows=ranking] tr")
    assert ranking.count() == 1 and ranking.first.locator("th").inner_text() == "东风街道"
    score = page.locator(f"[data-rows=children] tr[data-code='{STREET1}'] [data-kpi=score]")
    assert score.inner_text().startswith(ranking.first.locator("td").inner_text())
    categories = page.locator("[data-table-rows=categories] tr")
    assert categories.count() >= 1 and "暴露垃圾" in categories.first.inner_text()
    # The table follows the chosen KPI.
    page.select_option("[data-testid=kpi-select]", "on_time_rate")
    heading = page.locator("[data-chart-table=ranking] [data-kpi-heading]").inner_text()
    assert heading == page.locator("[data-testid=kpi-select] option:checked").inner_text()
    assert ranking.first.locator("td").inner_text() == "33.3%"
    page.screenshot(path=os.path.join(shots_dir, "stats-dashboard-tables.png"), full_page=True)
    assert console.clean() == []
