"""The working side in a real browser: the worker's phone inbox, the queue, the department."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from playwright.sync_api import expect

from shezhi.events import services
from shezhi.events.models import Event, EventPhoto, WhistleSummons

# ``actors`` is the events tests' fixture, used here as well.
from tests.events.conftest import act, actors, report  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNITY = "510113001001"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def photo_file(tmp_path) -> str:
    path = tmp_path / "result.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 140, 60)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_worker_accepts_and_reports_the_result_on_a_phone(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
    tmp_path,
):
    event = report(actors.resident, address="凤凰路12号门口")
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})

    page = phone_page
    sign_in(page, "mg_worker", next_path="/events/inbox/")
    assert page.url.endswith("/events/inbox/")
    no_sideways_scroll(page)
    card = page.locator(f"[data-testid=event-card][data-event='{event.pk}']")
    assert card.get_attribute("data-state") == "dispatched"
    badge = card.locator("[data-testid=sla]")
    assert badge.is_visible()
    assert card.get_attribute("data-sla") == "green"
    page.screenshot(path=os.path.join(shots_dir, "events-inbox-phone.png"), full_page=True)
    accept = card.locator("[data-testid=do-accept]")
    assert accept.bounding_box()["height"] >= 44
    with page.expect_navigation():
        accept.click()
    assert page.url.endswith("/events/inbox/")
    event.refresh_from_db()
    assert event.state == Event.State.ACCEPTED

    # The result, with a photo "from the camera".
    card = page.locator(f"[data-testid=event-card][data-event='{event.pk}']")
    form = card.locator("[data-testid=form-handle]")
    assert form.locator("input[type=file]").get_attribute("capture") == "environment"
    form.locator("textarea[name=result]").fill("垃圾已清运，现场已冲洗")
    form.locator("input[type=file]").set_input_files(photo_file(tmp_path))
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "events-inbox-result-phone.png"), full_page=True)
    with page.expect_navigation():
        form.locator("[data-testid=do-handle]").click()
    event.refresh_from_db()
    assert event.state == Event.State.HANDLED
    assert EventPhoto.objects.filter(event=event, stage="result").count() == 1

    # The event's page shows it handled, with the photo.
    with page.expect_navigation():
        page.locator(f"[data-testid=event-card][data-event='{event.pk}'] .ev-card-link").click()
    assert page.url.endswith(f"/events/{event.pk}/")
    assert page.locator("[data-testid=state]").get_attribute("data-state") == "handled"
    assert "垃圾已清运" in page.locator("[data-testid=result]").inner_text()
    img = page.locator("[data-testid=result-photos] img").first
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=result-photos] img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    # The map drew itself (Leaflet, no inline script).
    assert page.locator("#event-map.leaflet-container").count() == 1
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "events-detail-phone.png"), full_page=True)
    assert console.clean() == []


def test_community_staff_registers_and_dispatches_from_the_queue(
    page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    event = report(actors.resident, code="0302")  # 工地扬尘: 住建
    sign_in(page, "community", next_path="/events/queue/")
    assert page.url.endswith(f"/events/queue/{COMMUNITY}/")
    assert page.locator("[data-count=to_register]").inner_text() == "1"
    card = page.locator(f"[data-testid=event-card][data-event='{event.pk}']")
    with page.expect_navigation():
        card.locator("[data-testid=do-register]").click()
    assert "tab=" not in page.url or "to_register" in page.url
    assert page.locator("[data-testid=flash]").is_visible()
    event.refresh_from_db()
    assert event.state == Event.State.REGISTERED
    assert page.locator("[data-count=to_dispatch]").inner_text() == "1"

    with page.expect_navigation():
        page.click("nav.ev-tabs a[data-tab=to_dispatch]")
    card = page.locator(f"[data-testid=event-card][data-event='{event.pk}']")
    form = card.locator("[data-testid=form-dispatch]")
    # The category's department is offered first.
    assert form.locator("select[name=target]").input_value() == "department"
    assert form.locator("select[name=department]").input_value() == "zj"
    # Only the chooser of the chosen kind shows; switching the kind switches it.
    expect(form.locator("[data-field=department]")).to_be_visible()
    expect(form.locator("[data-field=worker]")).to_be_hidden()
    form.locator("select[name=target]").select_option("worker")
    expect(form.locator("[data-field=worker]")).to_be_visible()
    expect(form.locator("[data-field=department]")).to_be_hidden()
    form.locator("select[name=target]").select_option("community")
    expect(form.locator("[data-field=worker]")).to_be_hidden()
    expect(form.locator("[data-field=department]")).to_be_hidden()
    form.locator("select[name=target]").select_option("department")
    expect(form.locator("[data-field=department]")).to_be_visible()
    page.screenshot(path=os.path.join(shots_dir, "events-queue-wide.png"), full_page=True)
    with page.expect_navigation():
        form.locator("[data-testid=do-dispatch]").click()
    assert "tab=to_dispatch" in page.url
    event.refresh_from_db()
    assert event.state == Event.State.DISPATCHED
    assert event.handler_department.code == "zj"
    assert page.locator("[data-count=to_dispatch]").inner_text() == "0"
    assert console.clean() == []


def test_department_staff_reports_in_on_a_whistled_event(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    event = report(actors.resident, code="0301")
    act(actors.community, event, "register")
    act(actors.community, event, "escalate", reason="网格解决不了")
    act(
        actors.community,
        event,
        "whistle",
        reason="夜间施工扰民，多次投诉",
        data={"departments": ["zj", "cg"], "report_in_minutes": 30},
    )
    page = phone_page
    sign_in(page, "dept_cg", next_path="/events/department/")
    assert page.url.endswith("/events/department/")
    no_sideways_scroll(page)
    card = page.locator(f"[data-testid=summons-card][data-event='{event.pk}']")
    countdown = card.locator("[data-testid=countdown]")
    assert countdown.get_attribute("data-overdue") == "no"
    assert 28 <= int(countdown.get_attribute("data-minutes")) <= 30
    page.screenshot(path=os.path.join(shots_dir, "events-department-phone.png"), full_page=True)
    with page.expect_navigation():
        card.locator("[data-testid=do-report_in]").click()
    assert page.url.endswith("/events/department/")
    assert page.locator("[data-testid=no-summonses]").is_visible()
    summons = WhistleSummons.objects.get(whistle__event=event, department__code="cg")
    assert summons.reported_in_at is not None and summons.on_time
    assert summons.reported_in_by.username == "dept_cg"
    event.refresh_from_db()
    assert "report_in" not in services.allowed_actions(actors.dept_cg, event)

    page.goto(f"{live_server.url}/events/{event.pk}/")
    assert (
        page.locator("[data-testid=summons][data-department=cg]").get_attribute("data-reported")
        == "yes"
    )
    assert (
        page.locator("[data-testid=summons][data-department=zj]").get_attribute("data-reported")
        == "no"
    )
    no_sideways_scroll(page)
    assert console.clean() == []


def test_resident_confirms_and_rates_in_their_own_words_on_a_phone(
    phone_page,
    console,
    sign_in,
    actors,  # noqa: F811
    live_server,
    shots_dir,
):
    """我的上报 flags what waits for the resident; the event's page asks 确认已解决 /
    仍未解决 (not the staff's 核查); the notifications say each change once, in
    the resident's words, with the same "x 分钟前" wording."""
    event = report(actors.resident, address="凤凰路12号门口")
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "垃圾已清运"})

    page = phone_page
    sign_in(page, "resident", next_path="/events/mine/")
    item = page.locator(f"[data-testid=my-reports] li[data-event='{event.pk}']")
    expect(item.locator("[data-testid=waits]")).to_have_text("待您确认处理结果")
    expect(item.locator("[data-testid=state]")).to_have_text("已处理，请您确认")
    expect(page.locator("[data-testid=awaiting-summary]")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "events-my-reports-waiting-phone.png"))

    with page.expect_navigation():
        item.locator("a").click()
    assert page.url.endswith(f"/events/{event.pk}/#actions")
    expect(page.locator("[data-testid=state]")).to_have_text("已处理，请您确认")
    confirm = page.locator("[data-testid=do-verify_pass]")
    expect(confirm).to_have_text("确认已解决")
    expect(page.locator("#action-verify_fail summary")).to_have_text("仍未解决")
    assert "核查" not in page.locator("main").inner_text()
    assert "我也遇到" not in page.locator("main").inner_text()
    assert confirm.bounding_box()["height"] >= 44
    no_sideways_scroll(page)
    shot = os.path.join(shots_dir, "events-resident-confirm-phone.png")
    page.screenshot(path=shot, full_page=True)
    with page.expect_navigation():
        confirm.click()
    expect(page.locator("[data-testid=state]")).to_have_text("已解决")
    expect(page.locator("[data-testid=flash]")).to_contain_text("确认已解决")

    # Now it waits for a rating, and says so.
    page.goto(f"{live_server.url}/events/mine/")
    item = page.locator(f"[data-testid=my-reports] li[data-event='{event.pk}']")
    expect(item.locator("[data-testid=waits]")).to_have_text("待您评价")

    # The notifications: taken on, handled (please confirm); no dispatch, no staff words.
    page.goto(f"{live_server.url}/notifications/")
    titles = page.locator("[data-testid=notification-list] .notif-title").all_inner_texts()
    assert [t.split("：", 1)[1] for t in titles] == ["已处理，请您确认", "已受理"]
    for when in page.locator(".notif-time").all_inner_texts():
        assert when == "刚刚" or when.endswith("分钟前"), when
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "notifications-resident-phone.png"))
    assert console.clean() == []
