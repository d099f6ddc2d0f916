"""The 当场处置 page on the worker's phone, and where it shows in the other pages."""

from __future__ import annotations

import pytest
from django.test import Client

from shezhi.events.models import Event, EventPhoto, EventTransition
from tests.events.conftest import IN_MICRO1, IN_MICRO2, jpeg

pytestmark = pytest.mark.django_db
URL = "/events/spot/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**change):
    data = {
        "category": "0101",
        "description": "单元门口暴露垃圾",
        "result": "已当场清扫",
        "lng": str(IN_MICRO1[0]),
        "lat": str(IN_MICRO1[1]),
        "idempotency_key": "page-1",
        "before_photos": [jpeg(name="before.jpg")],
        "after_photos": [jpeg(name="after.jpg", color=(20, 160, 60))],
    }
    data.update(change)
    return {k: v for k, v in data.items() if v is not None}


def nothing_written() -> None:
    assert Event.objects.count() == EventTransition.objects.count() == 0
    assert EventPhoto.objects.count() == 0


def test_only_grid_workers_have_the_page(actors):
    for user in (actors.resident, actors.community, actors.dept_cg):
        assert signed_in(user).get(URL).status_code == 404
    page = signed_in(actors.mg_worker).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="0101"' in html  # 暴露垃圾: a small routine matter
    assert 'value="0501"' not in html  # 路面塌陷 needs a department
    assert 'name="after_photos"' in html and "required" in html
    assert 'data-testid="nav-spot"' in html


def test_the_patrol_page_leads_to_it(actors):
    html = signed_in(actors.mg_worker).get("/events/patrol/").content.decode()
    assert 'data-testid="patrol-to-spot"' in html and URL in html


def test_one_tap_closes_it_and_lands_on_the_event(actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 0
    client = signed_in(actors.mg_worker)
    resp = client.post(URL, form())
    event = Event.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/events/{event.pk}/"
    assert event.state == Event.State.CLOSED and event.on_spot
    page = client.get(resp["Location"]).content.decode()
    assert "已当场处置并结案" in page
    assert "当场处置：结案" in page  # the closing step in the history
    # A double tap (the same form's key) makes no second event.
    assert client.post(URL, form()).status_code == 302
    assert Event.objects.count() == 1


def test_a_spot_check_is_said_and_goes_to_the_community_not_the_grid(actors, settings):
    settings.SHEZHI_SPOT_CHECK_SHARE = 1
    resp = signed_in(actors.mg_worker).post(URL, form(), follow=True)
    assert "本件被抽中抽查" in resp.content.decode()
    event = Event.objects.get()
    assert event.state == Event.State.HANDLED and event.spot_check
    # Not in the full-time grid worker's "results to verify" …
    inbox = signed_in(actors.grid_worker).get("/events/inbox/").content.decode()
    assert f"data-event='{event.pk}'" not in inbox and f'data-event="{event.pk}"' not in inbox
    # … but in the community's queue, where its staff verify it.
    queue = signed_in(actors.community).get("/events/queue/510113001001/?tab=to_verify")
    assert f"/events/{event.pk}/" in queue.content.decode()
    detail = signed_in(actors.community).get(f"/events/{event.pk}/").content.decode()
    assert "抽中社区抽查核查" in detail
    assert "/act/verify_pass/" in detail


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"after_photos": None}, "after_photos", "请至少添加一张处置后照片"),
        ({"lng": str(IN_MICRO2[0]), "lat": str(IN_MICRO2[1])}, "location", "网格"),
        ({"category": "0501"}, "category", ""),
        ({"result": ""}, "result", ""),
    ],
)
def test_a_refusal_is_shown_by_its_field_with_nothing_written(actors, change, field, message):
    resp = signed_in(actors.mg_worker).post(URL, form(**change))
    assert resp.status_code == 400
    html = resp.content.decode()
    block = html.split(f'data-field="{field}"', 1)[1].split("</div>", 1)[0]
    if field == "location":
        block = html.split('data-field="location"', 1)[1].split("</fieldset>", 1)[0]
    assert 'class="field-error"' in block, field
    assert message in block
    assert "请重新选择照片后再提交" in html
    nothing_written()
