"""The public event map on a phone at the demo's scale: ~1,300 events clustered into discs
a finger can tap, and the list of the events in view beside the map for keyboards and
screen readers, following the map as it moves."""

from __future__ import annotations

import json
import os
import random

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

N = 1300
CATEGORIES = ("暴露垃圾", "占道经营", "噪声扰民", "消防通道堵塞", "路灯不亮")


def synthetic_events(n: int = N) -> dict:
    """The public data of ``n`` events spread over the test district (lng 104.0–104.4,
    lat 30.6–30.8), the latest first, as /events/map/data.json sends them."""
    rng = random.Random(7)
    features = []
    for i in range(n):
        is_open = i % 10 == 0
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(rng.uniform(104.0, 104.4), 3),
                        round(rng.uniform(30.6, 30.8), 3),
                    ],
                },
                "properties": {
                    "id": i + 1,
                    "open": is_open,
                    "category": CATEGORIES[i % len(CATEGORIES)],
                    "class": "市容环境",
                    "reported_on": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}",
                    "closed_on": None if is_open else "2026-12-01",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "truncated": False, "limit": 2000}


MARKERS = """() => {
  const box = document.querySelector('#public-map').getBoundingClientRect();
  const inside = (r) => r.right > box.left && r.left < box.right && r.bottom > box.top
                        && r.top < box.bottom;
  const clusters = [...document.querySelectorAll('#public-map .event-cluster-icon')]
    .map((n) => n.getBoundingClientRect()).filter(inside);
  const counts = [...document.querySelectorAll('#public-map .event-cluster')]
    .filter((n) => inside(n.getBoundingClientRect())).map((n) => Number(n.dataset.count));
  const dots = [...document.querySelectorAll('#public-map path.event-marker')]
    .filter((n) => inside(n.getBoundingClientRect())).length;
  const sides = clusters.map((r) => Math.min(r.width, r.height));
  return {clusters: clusters.length, smallest: Math.min(...sides),
          clustered: counts.reduce((a, b) => a + b, 0), dots};
}"""


def test_a_phone_sees_clusters_and_a_list_of_the_events_in_view(
    phone_page, console, territory, live_server, shots_dir
):
    page = phone_page
    body = json.dumps(synthetic_events(), ensure_ascii=False)
    page.route(
        "**/events/map/data.json*",
        lambda route: route.fulfill(status=200, content_type="application/json", body=body),
    )
    page.goto(f"{live_server.url}/events/map/")
    page.wait_for_selector('#public-map[data-state="ready"]')
    page.wait_for_selector("#public-map .event-cluster")
    page.wait_for_timeout(400)  # the chunked clustering
    # The map is a named region, described by the summary beside it.
    region = page.locator("#public-map")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label") == "事件地图"
    # ~1,300 events: a few dozen discs at most, each at least 44 px, counting them all.
    found = page.evaluate(MARKERS)
    assert 1 <= found["clusters"] <= 60, found
    assert found["smallest"] >= 44, found
    assert found["clustered"] + found["dots"] == N, found
    page.screenshot(path=os.path.join(shots_dir, "event-public-map-clusters-phone.png"))

    # The list of the events in view: the latest first, 50 of them, and how many more.
    listed = page.locator("[data-testid=events-in-view] li[data-event]")
    assert listed.count() == 50
    assert listed.first.get_attribute("data-event") == "1"
    assert "暴露垃圾" in listed.first.inner_text()
    more = page.locator("[data-testid=events-in-view] li.more").inner_text()
    assert "50" in more and "1300" in more
    summary = page.locator("[data-testid=public-map-summary]").inner_text()
    assert "130" in summary and "1170" in summary  # open and closed in view
    # A cluster disc is named by its count, for screen readers.
    label = page.locator("#public-map .event-cluster-icon").first.get_attribute("aria-label")
    assert label and "件事件" in label, label

    # By keyboard: Tab to the first event of the list, Enter: the map zooms to its dot and
    # opens its popup; the list follows the map (fewer events in view).
    button = listed.first.locator("button")
    button.focus()
    page.keyboard.press("Enter")
    tip = page.locator(".leaflet-popup-content")
    tip.wait_for()
    assert "暴露垃圾" in tip.inner_text()
    page.wait_for_timeout(600)  # moveend, then the list again
    assert page.locator("#public-map path.event-id-1").count() == 1
    in_view = int(page.locator("#events-in-view-list").get_attribute("data-count"))
    assert 1 <= in_view < N
    page.screenshot(path=os.path.join(shots_dir, "event-public-map-zoomed-phone.png"))

    # The filters apply to the list as well: closed only.
    page.keyboard.press("Escape")
    page.uncheck("#show-open")
    texts = page.locator("[data-testid=events-in-view] li[data-event]").all_inner_texts()
    assert texts and not any("未结案" in t for t in texts)
    assert console.clean() == []
