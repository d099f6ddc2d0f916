"""The notification centre in a real browser: badge, open, mark read, phone layout."""

from __future__ import annotations

import os

import pytest

from shezhi.notifications import services
from shezhi.notifications.models import Notification
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNITY = "510113001001"


@pytest.fixture
def inbox(territory):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    other = make_user("other_staff", role="community_staff", area=territory["community2"])
    services.notify([other], kind="k", title="别人的通知")
    services.notify(
        [staff],
        kind="event.reported",
        title="新事件：路灯不亮",
        body="凤凰社区第1网格 3栋门口路灯不亮，请尽快处理。",
        url=f"/people/area/{COMMUNITY}/",
    )
    services.notify([staff], kind="roster.imported", title="花名册导入完成：共 58 人")
    services.notify(
        [staff],
        kind="event.dispatched",
        title="事件已派遣给你" + "，请按时处置" * 12,  # a long title must wrap, not overflow
        body="处理时限：3个工作日",
        url=f"/areas/{COMMUNITY}/",
    )
    return {"staff": staff, "other": other}


def badge(page) -> str:
    locator = page.locator("[data-testid=unread-badge]")
    return locator.inner_text().split()[0] if locator.count() else ""


def unread_items(page) -> int:
    return page.locator("[data-testid=notification-list] .notif.is-unread").count()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_badge_open_mark_read_and_all(page, console, sign_in, inbox, live_server, shots_dir):
    sign_in(page, "community_staff")
    assert badge(page) == "3"
    with page.expect_navigation():
        page.click("[data-testid=nav-notifications]")
    assert page.url.endswith("/notifications/")
    titles = page.locator("[data-testid=notification-list] .notif-title").all_inner_texts()
    assert titles[1:] == ["花名册导入完成：共 58 人", "新事件：路灯不亮"]
    assert "别人的通知" not in page.content()
    assert unread_items(page) == 3
    page.screenshot(path=os.path.join(shots_dir, "notifications-wide.png"), full_page=True)

    # Opening one marks it read and goes where it points.
    reported = Notification.objects.get(user=inbox["staff"], kind="event.reported")
    with page.expect_navigation():
        page.click(f"[data-notification='{reported.pk}'] a.notif-title")
    assert page.url.endswith(f"/people/area/{COMMUNITY}/")
    assert badge(page) == "2"
    reported.refresh_from_db()
    assert reported.read_at is not None

    # One without a link: its own "mark read" button.
    page.goto(f"{live_server.url}/notifications/")
    roster = Notification.objects.get(user=inbox["staff"], kind="roster.imported")
    item = page.locator(f"[data-notification='{roster.pk}']")
    assert item.locator("a").count() == 0
    with page.expect_navigation():
        item.locator(".notif-mark button").click()
    assert page.url.endswith("/notifications/")
    assert unread_items(page) == 1 and badge(page) == "1"

    # The unread tab, then everything read at once.
    with page.expect_navigation():
        page.click("[data-testid=unread-tab]")
    assert page.locator("[data-testid=notification-list] .notif").count() == 1
    with page.expect_navigation():
        page.click("[data-testid=read-all] button")
    assert "show=unread" in page.url
    assert page.locator("[data-testid=no-notifications]").is_visible()
    assert badge(page) == ""
    assert not Notification.objects.filter(user=inbox["staff"], read_at__isnull=True).exists()
    assert Notification.objects.get(user=inbox["other"]).read_at is None
    assert console.clean() == []


def test_someone_elses_notification_is_not_found(page, sign_in, inbox, live_server):
    sign_in(page, "community_staff")
    theirs = Notification.objects.get(user=inbox["other"])
    response = page.goto(f"{live_server.url}/notifications/{theirs.pk}/")
    assert response.status == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_phone_layout(phone_page, console, sign_in, inbox, live_server, shots_dir):
    page = phone_page
    sign_in(page, "community_staff", next_path="/notifications/")
    assert page.url.endswith("/notifications/")
    no_sideways_scroll(page)
    assert page.locator("[data-testid=nav-notifications]").is_visible()
    for item in page.locator("[data-testid=notification-list] .notif").all():
        assert item.bounding_box()["width"] <= 390
    # Buttons big enough for a thumb.
    assert page.locator(".notif-mark button").first.bounding_box()["height"] >= 44
    assert page.locator("[data-testid=read-all] button").bounding_box()["height"] >= 44
    page.screenshot(path=os.path.join(shots_dir, "notifications-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=read-all] button")
    no_sideways_scroll(page)
    assert unread_items(page) == 0
    assert console.clean() == []
