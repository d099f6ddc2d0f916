"""The site shell in a real browser: each role lands on its work, the phone's bottom bar and
its 更多 menu (keyboard and no JavaScript), the desktop header, the skip link, the focus
ring, the error focus after a refused form, and 长辈模式 remembered across pages."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import PHONE, _new_page
from tests.events.conftest import actors  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bar_links(page) -> list[str]:
    return [t.strip() for t in page.locator(".nav-bar > li > a.nav-link").all_inner_texts()]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_worker_lands_on_my_tasks_with_a_bottom_bar_and_a_more_menu_on_a_phone(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    shots_dir,
):
    page = phone_page
    sign_in(page, "mg_worker")
    assert page.url.endswith("/events/inbox/")
    no_sideways_scroll(page)
    # The bar: three main places and 更多, fixed at the bottom of the screen, all in view.
    assert bar_links(page) == ["我的任务", "巡查上报", "我的上报"]
    bar = page.locator("[data-testid=main-nav]").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(PHONE["height"], abs=1)
    assert bar["x"] == 0 and bar["width"] == PHONE["width"]
    for link in page.locator(".nav-bar > li > .nav-link, .nav-more > summary").all():
        box = link.bounding_box()
        assert box["y"] >= bar["y"] and box["x"] + box["width"] <= PHONE["width"] + 0.5
        assert box["height"] >= 44 and box["width"] >= 44
    assert page.locator("[data-testid=nav-inbox]").get_attribute("aria-current") == "page"
    page.screenshot(path=os.path.join(shots_dir, "shell-worker-phone.png"))
    # 更多 holds the rest: points, service posts, volunteering, the map; the name, not
    # the username; the language, 长辈模式 and signing out.
    more = page.locator("[data-testid=nav-more]")
    assert not page.locator("[data-testid=nav-points]").is_visible()
    more.locator("summary").click()
    for testid in ("nav-points", "nav-posts", "nav-volunteering", "nav-map", "nav-sign-out"):
        assert page.locator(f"[data-testid={testid}]").is_visible(), testid
    assert page.locator("[data-testid=nav-who]").inner_text() == "李明"
    assert "mg_worker" not in page.locator(".site-header").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "shell-worker-phone-more.png"))
    # Escape closes it and gives the focus back to its toggle.
    page.keyboard.press("Escape")
    assert more.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # A link of the menu goes there.
    more.locator("summary").click()
    with page.expect_navigation():
        page.click("[data-testid=nav-points]")
    assert page.url.endswith("/points/")
    assert console.clean() == []


def test_each_role_lands_on_its_work_and_next_still_wins(
    page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    # The district admin: the dashboard, with the dashboard, queue and 交办事件 in the header.
    sign_in(page, "district")
    assert "/stats/510113/" in page.url
    assert bar_links(page) == ["驾驶舱", "派遣", "交办事件"]
    page.wait_for_selector("#dashboard[data-state=ready]")
    page.screenshot(path=os.path.join(shots_dir, "shell-district-desktop.png"))
    # The header is one row; 更多 drops down with 12345热线转办 and 微阵地台账.
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 70
    page.click(".nav-more > summary")
    page.screenshot(path=os.path.join(shots_dir, "shell-district-desktop-more.png"))
    assert page.locator("[data-testid=nav-hotline]").is_visible()
    assert page.locator("[data-testid=nav-posts-manage]").is_visible()
    with page.expect_navigation():
        page.click("[data-testid=nav-posts-manage]")
    assert page.url.endswith("/posts/manage/")
    page.context.clear_cookies()

    for username, landing in [
        ("community", "/events/queue/510113001001/"),
        ("dept_cg", "/events/inbox/"),
        ("resident", "/events/report/"),
    ]:
        sign_in(page, username)
        assert page.url.endswith(landing), (username, page.url)
        page.context.clear_cookies()
    # ?next= still wins over the role's landing.
    sign_in(page, "community", next_path="/volunteering/")
    assert page.url.endswith("/volunteering/")
    # And "/" leads to the same work as signing in.
    page.goto(live_server.url + "/")
    assert page.url.endswith("/events/queue/510113001001/")
    assert console.clean() == []


def test_the_more_menu_works_without_javascript_and_with_the_keyboard(
    chromium,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
):
    context, page = _new_page(
        chromium, console, viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/events/mine/")
        page.fill("#id_username", "resident")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("form.stack-form button[type=submit]")
        assert page.url.endswith("/events/mine/")
        assert bar_links(page) == ["上报问题", "我的上报", "我的积分"]
        page.click(".nav-more > summary")  # <details>: no script needed
        assert page.locator("[data-testid=nav-posts]").is_visible()
    finally:
        context.close()
    # The keyboard: the skip link is the first stop, then 更多 opens with Enter.
    context, page = _new_page(chromium, console, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{live_server.url}/posts/")
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert skip.is_visible() and skip.inner_text() == "跳到主要内容"
        # The ring: a dark outline with a white halo (3:1 on white and on the blue header).
        ring = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow]; })()"
        )
        assert ring[0] == "solid" and ring[1] == "rgb(20, 32, 43)" and ring[2] == "3px"
        assert "rgb(255, 255, 255)" in ring[3]
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.focus(".nav-more > summary")
        page.keyboard.press("Enter")
        assert page.locator(".nav-more").get_attribute("open") is not None
        assert page.locator("[data-testid=nav-sign-in]").is_visible()
    finally:
        page.shezhi_audit.final(page)
        context.close()
    assert console.clean() == []


def test_elder_mode_is_remembered_and_errors_take_the_focus(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    page = phone_page
    sign_in(page, "resident", next_path="/events/mine/")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size == 16
    page.click(".nav-more > summary")
    toggle = page.locator("[data-testid=elder-toggle]")
    assert toggle.get_attribute("aria-pressed") == "false"
    with page.expect_navigation():
        toggle.click()
    assert page.url.endswith("/events/mine/")
    assert "elder-mode" in page.locator("body").get_attribute("class")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    page.screenshot(path=os.path.join(shots_dir, "shell-elder-mode-phone.png"))
    # Remembered for the person: another browser (no cookie) after signing in again.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    assert "elder-mode" not in (page.locator("body").get_attribute("class") or "")
    # A refused sign-in: the focus lands on what is wrong.
    page.fill("#id_username", "resident")
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("form.stack-form button[type=submit]")
    error = page.locator("#main .notice.error")
    assert page.evaluate("document.activeElement.classList.contains('is-focused-error')")
    assert error.evaluate("el => el === document.activeElement")
    page.screenshot(path=os.path.join(shots_dir, "shell-error-focus-phone.png"))
    sign_in(page, "resident", next_path="/events/report/")
    assert "elder-mode" in page.locator("body").get_attribute("class")
    assert console.clean() == []


def test_maps_say_leaflet_without_a_flag_and_name_their_zoom_buttons_in_chinese(
    phone_page,
    console,
    live_server,
):
    page = phone_page
    page.goto(f"{live_server.url}/posts/")
    page.wait_for_selector(".leaflet-control-zoom-in")
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == "放大"
    assert zoom_in.get_attribute("aria-label") == "放大"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "缩小"
    box = zoom_in.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.inner_text().startswith("Leaflet")
    assert attribution.locator("svg, img").count() == 0  # no flag
    assert console.clean() == []


def test_the_audit_catches_small_targets_small_text_and_axe_violations(phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server.url}/posts/")
    page.wait_for_timeout(1500)  # the audit of the page's load has reported
    page.evaluate(
        """() => document.getElementById("main").insertAdjacentHTML("beforeend",
          '<p id="bad"><button style="width:30px;height:30px;padding:0">x</button>'
          + '<span style="font-size:13px">小字</span><img src="data:,"></p>')"""
    )
    report = page.evaluate("window.__shezhiAudit()")
    assert any(s.startswith("target 30x30 button") for s in report["small"]), report
    assert any(s.startswith("text 13px span") for s in report["small"]), report
    assert any(v["id"] == "image-alt" for v in report["violations"]), report
    # The page as the site makes it stays clean.
    page.evaluate("document.getElementById('bad').remove()")
    page.shezhi_audit.findings.clear()
