"""The area browser in a real browser: map, tree, search, phone layout, scope."""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP_READY = '#area-map[data-state="ready"]'


def wait_for_map(page):
    page.wait_for_selector(MAP_READY)


def test_district_children_on_map_and_in_tree(page, console, sign_in, users, shots_dir):
    sign_in(page, "district_admin", next_path="/areas/")
    # The only root area: the browser goes straight to it.
    assert page.url.endswith("/areas/510113/")
    wait_for_map(page)
    assert page.locator("h1").inner_text() == "测试区"
    assert page.locator("#area-map path.area-shape").count() == 2
    assert page.locator("#area-map path.area-code-510113001").count() == 1
    assert page.locator("#area-map path.area-code-510113002").count() == 1
    tree = page.locator("#area-tree > li.tree-item")
    assert tree.count() == 2
    assert tree.nth(0).locator(".tree-link").inner_text() == "东风街道"
    assert tree.nth(1).locator(".tree-link").inner_text() == "西湖街道"
    # Wide screen: the tree column sits left of the map.
    map_box = page.locator("#area-map").bounding_box()
    tree_box = page.locator("#area-tree").bounding_box()
    assert tree_box["x"] + tree_box["width"] <= map_box["x"] + 1
    assert map_box["width"] > 600 and map_box["height"] > 500
    page.screenshot(path=os.path.join(shots_dir, "area-browser-wide.png"))
    assert console.clean() == []


def test_clicking_a_polygon_descends_to_that_child(page, console, sign_in, users):
    sign_in(page, "district_admin", next_path="/areas/")
    wait_for_map(page)
    with page.expect_navigation():
        page.locator("#area-map path.area-code-510113001").click()
    assert page.url.endswith("/areas/510113001/")
    assert page.locator("h1").inner_text() == "东风街道"
    wait_for_map(page)
    assert page.locator("#area-map path.area-shape").count() == 2
    assert console.clean() == []


def test_hovering_a_polygon_shows_name_and_code(page, console, sign_in, users):
    sign_in(page, "street_staff", next_path="/areas/")
    wait_for_map(page)
    page.locator("#area-map path.area-code-510113001002").hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert "同心村" in tip.inner_text()
    assert "510113001002" in tip.inner_text()
    assert console.clean() == []


def test_expanding_a_tree_node_loads_its_children(page, console, sign_in, users):
    sign_in(page, "street_staff", next_path="/areas/")
    assert page.url.endswith("/areas/510113001/")
    community = page.locator('#area-tree > li[data-code="510113001001"]')
    toggle = community.locator(":scope > .tree-row .tree-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    children = community.locator(":scope > .tree-children > li.tree-item")
    children.first.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert children.count() == 2
    assert children.nth(0).locator(".tree-link").inner_text() == "凤凰社区第1网格"
    assert children.nth(1).locator(".tree-link").inner_text() == "凤凰社区第2网格"
    # One level further: the grid's micro-grids, the dedicated one marked.
    grid = children.nth(0)
    grid.locator(":scope > .tree-row .tree-toggle").click()
    micro = grid.locator(":scope > .tree-children > li.tree-item")
    micro.first.wait_for()
    assert micro.count() == 3
    assert grid.locator('li.is-dedicated[data-code="510113001001001501"]').count() == 1
    assert grid.locator('a.tree-link[href="/areas/510113001001001501/"]').inner_text() == "实验小学"
    # Collapsing hides, expanding again shows without another request.
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not community.locator(":scope > .tree-children").is_visible()
    toggle.click()
    assert community.locator(":scope > .tree-children").is_visible()
    # A tree link descends.
    with page.expect_navigation():
        grid.locator(":scope > .tree-row .tree-link").click()
    assert page.url.endswith("/areas/510113001001001/")
    assert console.clean() == []


def test_dedicated_micro_grids_are_drawn_on_top(page, console, sign_in, users):
    sign_in(page, "street_staff", next_path="/areas/510113001001001/")
    assert page.url.endswith("/areas/510113001001001/")
    wait_for_map(page)
    assert page.locator("#area-map path.area-shape").count() == 3
    dedicated = page.locator("#area-map .leaflet-dedicated-pane path.area-dedicated")
    assert dedicated.count() == 1
    assert "area-code-510113001001001501" in dedicated.get_attribute("class")
    assert page.locator("#area-map .leaflet-overlay-pane path.area-child").count() == 2
    z_dedicated = page.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-dedicated-pane')).zIndex"
    )
    z_overlay = page.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex"
    )
    assert int(z_dedicated) > int(z_overlay)
    assert page.locator(".map-legend").is_visible()
    assert console.clean() == []


def test_search_by_name_finds_a_grid(page, console, sign_in, users):
    sign_in(page, "street_staff", next_path="/areas/")
    page.fill("#area-search", "第2网格")
    with page.expect_navigation():
        page.press("#area-search", "Enter")
    assert "q=" in page.url
    hits = page.locator("#search-results li")
    assert hits.count() == 1
    assert "510113001001002" in hits.first.inner_text()
    with page.expect_navigation():
        hits.first.locator("a").click()
    assert page.url.endswith("/areas/510113001001002/")
    assert page.locator("h1").inner_text() == "凤凰社区第2网格"
    # No children: the map draws the grid's own boundary.
    wait_for_map(page)
    assert page.locator("#area-map path.area-self").count() == 1
    # A search with no match says so.
    page.fill("#area-search", "西湖")
    with page.expect_navigation():
        page.press("#area-search", "Enter")
    assert page.locator("#search-empty").is_visible()
    assert console.clean() == []


def test_phone_layout_shows_map_then_tree_without_sideways_scroll(
    phone_page, console, sign_in, users, shots_dir
):
    page = phone_page
    sign_in(page, "street_staff", next_path="/areas/")
    wait_for_map(page)
    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    map_box = page.locator("#area-map").bounding_box()
    tree_box = page.locator("#area-tree").bounding_box()
    assert map_box["width"] >= 380
    assert map_box["height"] >= 250
    # Map first, then the tree below it.
    assert tree_box["y"] >= map_box["y"] + map_box["height"]
    assert tree_box["x"] >= 0 and tree_box["x"] + tree_box["width"] <= width
    assert page.locator("#area-map path.area-shape").count() == 2
    # Touch targets in the tree are at least 40 px.
    toggle = page.locator("#area-tree .tree-toggle").first.bounding_box()
    assert toggle["width"] >= 40 and toggle["height"] >= 40
    page.screenshot(path=os.path.join(shots_dir, "area-browser-phone.png"), full_page=True)
    # Tapping a polygon descends on a phone too.
    with page.expect_navigation():
        page.locator("#area-map path.area-code-510113001001").tap()
    assert page.url.endswith("/areas/510113001001/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert console.clean() == []


def test_english_page_in_the_browser(page, console, sign_in, users):
    sign_in(page, "street_staff", next_path="/areas/")
    page.click(".nav-more > summary")  # the language is under 更多
    with page.expect_navigation():
        page.click('.lang-switch button[value="en"]')
    assert page.url.endswith("/areas/510113001/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click(".nav-more > summary")
    assert "Sign out" in page.locator(".site-header").inner_text()
    wait_for_map(page)
    assert console.clean() == []


def test_another_street_is_a_404_page(page, console, sign_in, users, live_server):
    sign_in(page, "other_street", next_path="/areas/")
    assert page.url.endswith("/areas/510113002/")
    response = page.goto(f"{live_server.url}/areas/510113001/")
    assert response.status == 404
    assert page.locator(".not-found").is_visible()
    assert "东风街道" not in page.content()
    # The 404 itself is the only error the page may log.
    assert console.clean(allow=("status of 404",)) == []


def test_signed_out_visitor_is_sent_to_the_login_page(page, console, live_server, territory):
    page.goto(f"{live_server.url}/areas/510113/")
    assert "/accounts/login/" in page.url
    assert page.locator("#id_username").is_visible()
    assert console.clean() == []
