"""Sign-in lockout in a real browser: five wrong passwords, then the lockout page."""

from __future__ import annotations

import os

import pytest

from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports every 4xx document as "Failed to load resource … status of 429".
EXPECTED = ("status of 429",)


@pytest.fixture(autouse=True)
def _axes_on(settings):
    # The live server runs in this process: it sees the same (test) settings.
    settings.AXES_ENABLED = True


def submit(page, username: str, password: str):
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as nav:
        page.click("form.stack-form button[type=submit]")
    return nav.value


def test_five_failed_sign_ins_show_the_lockout_page(
    page, phone_page, console, live_server, shots_dir
):
    make_user("alice")
    login = f"{live_server.url}/accounts/login/"
    page.goto(login)
    for attempt in range(1, 5):
        resp = submit(page, "alice", f"wrong-password-{attempt}")
        assert resp.status == 200
        assert page.locator(".notice.error").is_visible()
        assert page.locator("#locked-out").count() == 0

    resp = submit(page, "alice", "wrong-password-5")
    assert resp.status == 429
    locked = page.locator("#locked-out")
    locked.wait_for()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert locked.get_attribute("data-cooloff-seconds") == "1800"
    assert locked.locator("[role=alert]").is_visible()
    assert locked.locator("li").count() == 2  # wait; or ask an administrator
    page.screenshot(path=os.path.join(shots_dir, "lockout-wide.png"))

    # The link back leads to the form; the right password is still refused,
    # here from a phone on the same address.
    phone_page.goto(login)
    resp = submit(phone_page, "alice", PASSWORD)
    assert resp.status == 429
    phone_page.locator("#locked-out").wait_for()
    assert "/accounts/login/" in phone_page.url
    # Phone-friendly: nothing wider than the screen, the button spans the card.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    button = phone_page.locator("#locked-out a.button").bounding_box()
    card = phone_page.locator("#locked-out").bounding_box()
    assert button["width"] > card["width"] * 0.8
    assert button["height"] >= 44
    phone_page.screenshot(path=os.path.join(shots_dir, "lockout-phone.png"), full_page=True)

    with phone_page.expect_navigation():
        phone_page.click("#locked-out a.button")
    assert phone_page.locator("#id_username").is_visible()

    assert console.clean(allow=EXPECTED) == []
