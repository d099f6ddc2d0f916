"""A resident signs up for a volunteer activity on a phone, checks in and out with the code
shown at the post, and finds the hours and points under "my activities"."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shezhi.volunteering import services
from shezhi.volunteering.models import Signup, VolunteerActivity
from tests.factories import make_user
from tests.volunteering.conftest import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.fixture
def setting_up(territory, settings):
    # A short-lived code, so the display page's refresh shows within the test.
    settings.SHEZHI_VOLUNTEER_QR_SECONDS = 40
    resident = make_user("resident", role="resident", area=territory["micro1"])
    staff = make_user("community", role="community_staff", area=territory["community"])
    post = make_post(territory["micro1"], "誉府会客厅", 104.02, 30.62)
    now = timezone.now()
    activity = services.publish_activity(
        actor=staff,
        post=post,
        title="社区环境清洁",
        starts_at=now + dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2, minutes=10),
        slots=3,
    )
    return resident, staff, activity


def test_resident_signs_up_checks_in_and_out_by_the_code(
    phone_page, page, console, sign_in, setting_up, live_server, shots_dir
):
    resident, _staff, activity = setting_up
    phone = phone_page

    # The resident finds the activity and signs up.
    sign_in(phone, "resident", next_path="/volunteering/")
    card = phone.locator(f"[data-activity='{activity.pk}']")
    expect(card.locator("[data-testid=post-name]")).to_have_text("誉府会客厅")
    expect(card.locator("[data-testid=slots-left]")).to_have_attribute("data-slots-left", "3")
    no_sideways_scroll(phone)
    card.locator("a").click()
    sign_up = phone.locator("[data-testid=sign-up]")
    assert sign_up.bounding_box()["height"] >= 44
    with phone.expect_navigation():
        sign_up.click()
    expect(phone.locator("[data-testid=signed-up]")).to_be_visible()
    expect(phone.locator("[data-testid=slots-left]")).to_have_attribute("data-slots-left", "2")
    assert Signup.objects.filter(activity=activity, user=resident).count() == 1

    # Staff show the code at the post; it refreshes by itself.
    sign_in(page, "community", next_path=f"/volunteering/manage/{activity.pk}/")
    expect(page.locator("[data-testid=roster] [data-testid=volunteer-name]")).to_have_text(
        "resident"
    )
    page.click("[data-testid=show-qr]")
    qr = page.locator("[data-testid=qr]")
    expect(page.locator("[data-testid=qr-image]")).to_be_visible()
    first_url = qr.get_attribute("data-scan-url")
    assert first_url.startswith(f"{live_server.url}/volunteering/scan/")
    page.wait_for_function(
        "url => document.querySelector('[data-testid=qr]').dataset.scanUrl !== url",
        arg=first_url,
        timeout=20_000,
    )
    scan_url = qr.get_attribute("data-scan-url")
    assert scan_url != first_url
    assert (
        page.locator("[data-testid=qr-image]").get_attribute("src").startswith("data:image/svg+xml")
    )
    page.screenshot(path=os.path.join(shots_dir, "volunteering-qr.png"))

    # The resident opens the code's URL on the phone and checks in.
    phone.goto(scan_url)
    confirm = phone.locator("[data-testid=scan-confirm]")
    expect(confirm).to_have_attribute("data-action", "check_in")
    no_sideways_scroll(phone)
    with phone.expect_navigation():
        confirm.click()
    done = phone.locator("[data-testid=scan-done]")
    expect(done).to_have_attribute("data-action", "check_in")
    expect(done).to_have_attribute("data-already", "0")
    signup = Signup.objects.get(activity=activity, user=resident)
    assert signup.checked_in_at is not None and signup.checked_out_at is None

    # Two hours later (moved in the database): scanning again checks out.
    now = timezone.now()
    VolunteerActivity.objects.filter(pk=activity.pk).update(
        starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(minutes=30)
    )
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=now - dt.timedelta(hours=2))
    phone.goto(qr.get_attribute("data-scan-url"))
    confirm = phone.locator("[data-testid=scan-confirm]")
    expect(confirm).to_have_attribute("data-action", "check_out")
    with phone.expect_navigation():
        confirm.click()
    done = phone.locator("[data-testid=scan-done]")
    expect(done).to_have_attribute("data-action", "check_out")
    expect(done).to_have_attribute("data-minutes", "120")
    expect(done).to_have_attribute("data-points", "20")
    phone.screenshot(path=os.path.join(shots_dir, "volunteering-checked-out-phone.png"))

    # Scanning once more changes nothing.
    phone.go_back()
    phone.reload()
    expect(phone.locator("[data-testid=scan-done]")).to_have_attribute("data-already", "1")

    # "My activities" shows the hours and points.
    phone.click("[data-testid=to-mine]")
    totals = phone.locator("[data-testid=totals]")
    expect(totals).to_have_attribute("data-minutes", "120")
    expect(totals).to_have_attribute("data-points", "20")
    row = phone.locator(f"[data-testid=past] [data-activity='{activity.pk}']")
    expect(row).to_have_attribute("data-points", "20")
    no_sideways_scroll(phone)
    phone.screenshot(path=os.path.join(shots_dir, "volunteering-mine-phone.png"), full_page=True)
    signup.refresh_from_db()
    assert signup.minutes == 120 and signup.transfer.points == 20
    assert console.clean() == []
