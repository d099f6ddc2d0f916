"""The reporting pages: report, patrol, hotline, assign, my reports and the public map."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shezhi.core.errors import NotAllowed
from shezhi.events import services
from shezhi.events.models import Event, EventFollower, EventPhoto
from tests.events.conftest import IN_COMMUNITY2, IN_MICRO1, IN_MICRO2, act, jpeg, report
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
REPORT_PAGES = ("events:report", "events:patrol", "events:hotline", "events:assign")
# Far outside both test districts.
NOWHERE = (100.0, 20.0)


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


def media_files(*, held: bool = False) -> list[Path]:
    """Stored files: the events' photos, or (``held``) those held for a refused form."""
    root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return [p for p in files if ("/events/held/" in p.as_posix()) == held]


def snapshot() -> tuple[int, int, int, int]:
    """Everything a refused report must leave untouched (its photos are held apart)."""
    return (
        Event.objects.count(),
        EventPhoto.objects.count(),
        EventFollower.objects.count(),
        len(media_files()),
    )


def error_fields(html: str) -> set[str]:
    """The fields the page marks as wrong (``.field.has-error[data-field]``)."""
    return set(re.findall(r'class="field[^"]*\bhas-error\b[^"]*"\s+data-field="(\w+)"', html))


def form_data(point=IN_MICRO1, **overrides) -> dict:
    data = {
        "category": "0101",
        "description": "小区门口垃圾堆放两天无人清运",
        "address": "凤凰路12号",
        "idempotency_key": uuid.uuid4().hex,
    }
    if point is not None:
        data["lng"], data["lat"] = str(point[0]), str(point[1])
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, name: str, data: dict, **extra):
    return client.post(reverse(name), data, HTTP_ACCEPT_LANGUAGE="en", **extra)


# ---------------------------------------------------------------------------
# Who may open which page


@pytest.mark.parametrize("name", [*REPORT_PAGES, "events:my_reports"])
def test_signed_out_users_go_to_sign_in(client, territory, name):
    url = reverse(name)
    for response in (client.get(url), client.post(url, form_data())):
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={url}"
    assert Event.objects.count() == 0


PAGE_ACCESS = {
    "events:report": (
        ["resident", "nobody", "mg_worker", "community", "dept_cg"],
        [],
    ),
    "events:patrol": (
        ["mg_worker", "grid_worker", "community", "street", "district"],
        ["resident", "dept_cg", "nobody"],
    ),
    "events:hotline": (
        ["community", "street", "district"],
        ["resident", "mg_worker", "grid_worker", "dept_cg", "nobody"],
    ),
    "events:assign": (
        ["street", "district"],
        ["resident", "mg_worker", "grid_worker", "community", "dept_cg", "nobody"],
    ),
}


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_report_pages_open_for_their_roles_only(login, actors, name):
    allowed, refused = PAGE_ACCESS[name]
    for who in allowed:
        response = login(getattr(actors, who)).get(reverse(name))
        assert response.status_code == 200, (name, who)
        html = response.content.decode()
        assert 'data-testid="report-form"' in html
        assert 'capture="environment"' in html and 'accept="image/*"' in html
        assert "<optgroup" in html and 'value="0101"' in html
        assert 'name="idempotency_key"' in html
    for who in refused:
        client = login(getattr(actors, who))
        assert client.get(reverse(name)).status_code == 404, (name, who)
        assert client.post(reverse(name), form_data()).status_code == 404, (name, who)
    assert Event.objects.count() == 0


def test_each_render_carries_a_fresh_idempotency_key(login, actors):
    client = login(actors.resident)
    keys = [
        re.search(r'name="idempotency_key" value="(\w+)"', client.get(reverse("events:report"))
                  .content.decode()).group(1)
        for _ in range(2)
    ]  # fmt: skip
    assert keys[0] != keys[1]
    assert all(len(k) == 32 for k in keys)


def test_map_opens_on_the_users_own_area(login, actors, territory):
    html = login(actors.resident).get(reverse("events:report")).content.decode()
    micro1 = territory["micro1"]
    assert f'data-bbox="{micro1.min_lat:.6f},{micro1.min_lng:.6f},' in html
    assert f"/api/v1/areas/{micro1.code}/boundary" in html


# ---------------------------------------------------------------------------
# A valid report


def test_resident_report_creates_one_located_event(login, actors, territory):
    client = login(actors.resident)
    response = post(client, "events:report", form_data(photos=[jpeg()]))
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == f"/events/{event.pk}/"
    assert event.source == Event.Source.RESIDENT
    assert event.state == Event.State.REPORTED
    assert event.area == territory["micro1"]
    assert event.category.code == "0101"
    assert event.address == "凤凰路12号"
    assert event.reporter == actors.resident and event.submitted_by == actors.resident
    assert not event.anonymous
    assert EventFollower.objects.filter(event=event, user=actors.resident).exists()
    photo = EventPhoto.objects.get(event=event)
    assert len(media_files()) == 1
    assert photo.image.name.startswith(f"events/{event.created_at:%Y/%m}/{event.pk}/")


def test_anonymous_report_where_the_category_allows_it(login, actors):
    response = post(login(actors.resident), "events:report", form_data(anonymous="on"))
    assert response.status_code == 302
    assert Event.objects.get().anonymous is True


def test_photo_location_is_used_when_no_point_is_given(login, actors, territory):
    data = form_data(point=None, photos=[jpeg(gps=IN_MICRO2)])
    response = post(login(actors.resident), "events:report", data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.area == territory["micro2"]
    assert event.lng == pytest.approx(IN_MICRO2[0], abs=1e-4)


def test_double_post_with_the_same_key_creates_one_event(login, actors):
    client = login(actors.resident)
    data = form_data(photos=[jpeg()])
    first = post(client, "events:report", data)
    data["photos"] = [jpeg()]  # a retried POST sends the file again
    second = post(client, "events:report", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Event.objects.count() == 1
    assert EventPhoto.objects.count() == 1
    assert len(media_files()) == 1
    # A new form (a new key) is a new report.
    third = post(client, "events:report", form_data())
    assert third.status_code == 302 and third["Location"] != first["Location"]
    assert Event.objects.count() == 2


def test_patrol_report(login, actors, territory):
    response = post(login(actors.mg_worker), "events:patrol", form_data())
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.source, event.state) == (Event.Source.PATROL, Event.State.REPORTED)
    assert event.reporter == actors.mg_worker
    assert event.area == territory["micro1"]


def test_patrol_outside_the_workers_grid_is_refused(login, actors):
    before = snapshot()
    response = post(login(actors.mg_worker), "events:patrol", form_data(point=IN_MICRO2))
    assert response.status_code == 200
    assert error_fields(response.content.decode()) == {"location"}
    assert "inside your own grid" in response.content.decode()
    # The map shows the refused point again, to move it.
    assert 'data-point="104.070000,30.650000"' in response.content.decode()
    assert snapshot() == before


def test_hotline_transfer_registered_now(login, actors, territory):
    data = form_data(contact_name="王女士", contact_phone="138 1234 5678", register_now="on")
    response = post(login(actors.community), "events:hotline", data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == f"/events/{event.pk}/"
    assert (event.source, event.state) == (Event.Source.HOTLINE, Event.State.REGISTERED)
    assert event.reporter is None and event.submitted_by == actors.community
    assert event.contact_name == "王女士"
    assert event.contact_phone == "13812345678" and event.contact_phone_last4 == "5678"
    assert [t.action for t in event.transitions.all()] == ["report", "register"]


def test_hotline_transfer_left_to_register_later(login, actors):
    data = form_data(contact_phone="13812345678")  # the box unticked: not sent
    response = post(login(actors.street), "events:hotline", data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.source, event.state) == (Event.Source.HOTLINE, Event.State.REPORTED)


def test_hotline_outside_the_staffs_area_is_refused(login, actors):
    before = snapshot()
    data = form_data(point=IN_COMMUNITY2, register_now="on")
    response = post(login(actors.community), "events:hotline", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only staff of the area where it happened" in html
    assert 'data-testid="form-errors"' in html
    assert snapshot() == before


def test_assignment_from_above_is_registered_at_once(login, actors, territory):
    response = post(login(actors.street), "events:assign", form_data(point=IN_COMMUNITY2))
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.source, event.state) == (Event.Source.ASSIGNED, Event.State.REGISTERED)
    assert event.area == territory["community2"]
    assert event.registered_at is not None


def test_a_failed_register_leaves_nothing_behind(login, actors, monkeypatch):
    def refuse(**kwargs):
        raise NotAllowed("refused for the test")

    monkeypatch.setattr(services, "perform", refuse)
    before = snapshot()
    data = form_data(photos=[jpeg()])
    response = post(login(actors.district), "events:assign", data)
    assert response.status_code == 200
    assert "refused for the test" in response.content.decode()
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Bad input: a clear error next to the field, nothing written


def _not_a_photo():
    return SimpleUploadedFile("notes.jpg", b"this is not an image at all", "image/jpeg")


BAD_INPUTS = {
    "unknown category": ("events:report", "resident", {"category": "9999"}, "category", "9999"),
    "inactive class as category": (
        "events:report", "resident", {"category": "01"}, "category", "valid choice",
    ),
    "outside every district": (
        "events:report", "resident", {"lng": str(NOWHERE[0]), "lat": str(NOWHERE[1])},
        "location", "",
    ),
    "no location at all": (
        "events:report", "resident", {"lng": None, "lat": None}, "location", "Give the location",
    ),
    "half a point": ("events:report", "resident", {"lat": None}, "location", "both"),
    "coordinates not numbers": (
        "events:report", "resident", {"lng": "east", "lat": "north"}, "location", "number",
    ),
    "not an image": (
        "events:report", "resident", {"photos": "not_a_photo"}, "photos", "is not a photo",
    ),
    "oversized photo": (
        "events:report", "resident", {"photos": "big"}, "photos", "the limit is",
    ),
    "too many photos": (
        "events:report", "resident", {"photos": "seven"}, "photos", "At most",
    ),
    "anonymous not allowed": (
        "events:report", "resident", {"category": "1101", "anonymous": "on"}, "anonymous",
        "cannot be anonymous",
    ),
    "empty description": (
        "events:report", "resident", {"description": "   "}, "description", "",
    ),
    "bad phone": (
        "events:hotline", "community", {"contact_phone": "12345"}, "contact_phone", "",
    ),
    "letters in the phone": (
        "events:hotline", "community", {"contact_phone": "138abcd5678"}, "contact_phone",
        "only digits",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_shows_its_error_and_writes_nothing(login, actors, settings, case):
    name, who, overrides, field, text = BAD_INPUTS[case]
    overrides = dict(overrides)
    if overrides.get("photos") == "not_a_photo":
        overrides["photos"] = [jpeg(), _not_a_photo()]
    elif overrides.get("photos") == "big":
        settings.SHEZHI_MAX_PHOTO_BYTES = 100
        overrides["photos"] = [jpeg()]
    elif overrides.get("photos") == "seven":
        overrides["photos"] = [jpeg(name=f"p{i}.jpg") for i in range(7)]
    data = form_data(**overrides)
    if name == "events:hotline":
        data["register_now"] = "on"
    client = login(getattr(actors, who))
    before = snapshot()
    response = post(client, name, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert error_fields(html) == {field}, html
    assert 'class="field-error"' in html
    assert text in html
    assert snapshot() == before
    # The page keeps what was typed and the same key, so a corrected retry is one event.
    assert f'value="{data["idempotency_key"]}"' in html
    assert "小区门口垃圾堆放两天无人清运" in html or case == "empty description"


def test_corrected_retry_after_an_error_creates_one_event(login, actors, settings):
    client = login(actors.resident)
    data = form_data(category="1101", anonymous="on")
    assert post(client, "events:report", data).status_code == 200
    del data["anonymous"]
    assert post(client, "events:report", data).status_code == 302
    assert post(client, "events:report", data).status_code == 302
    assert Event.objects.count() == 1


# ---------------------------------------------------------------------------
# A refused form keeps its photos (held for the corrected form) and says what is missing


def _held_ids(html: str) -> list[str]:
    return re.findall(r'name="held_photos" value="(\d+)"', html)


def test_refused_report_keeps_its_photos_for_the_corrected_one(
    login, actors, django_capture_on_commit_callbacks
):
    from shezhi.events.models import HeldPhoto

    client = login(actors.resident)
    data = form_data(point=None, photos=[jpeg(name="a.jpg"), jpeg(name="b.jpg")])
    response = post(client, "events:report", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert Event.objects.count() == 0
    # The photos are kept and shown (thumbnails, ticked), and the page says so.
    ids = _held_ids(html)
    assert len(ids) == 2
    assert 'data-testid="held-photos"' in html
    assert "photos are kept" in html
    assert len(media_files(held=True)) == 2
    thumb = client.get(reverse("events:held_photo", args=[ids[0]]))
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    # Nobody else opens them.
    other = login(actors.resident2)
    assert other.get(reverse("events:held_photo", args=[ids[0]])).status_code == 404

    # The corrected form sends the point and the ticked photos, no file chosen again.
    client = login(actors.resident)
    fixed = form_data(idempotency_key=data["idempotency_key"], held_photos=ids)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "events:report", fixed)
    assert response.status_code == 302
    event = Event.objects.get()
    assert EventPhoto.objects.filter(event=event).count() == 2
    # Held no longer: rows and files are gone, the event's own copies stay.
    assert HeldPhoto.objects.count() == 0
    assert media_files(held=True) == []
    assert len(media_files()) == 2


def test_unticked_held_photo_is_left_out(login, actors, django_capture_on_commit_callbacks):
    client = login(actors.resident)
    data = form_data(description="  ", photos=[jpeg(name="a.jpg"), jpeg(name="b.jpg")])
    ids = _held_ids(post(client, "events:report", data).content.decode())
    assert len(ids) == 2
    fixed = form_data(idempotency_key=data["idempotency_key"], held_photos=ids[1:])
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "events:report", fixed).status_code == 302
    assert EventPhoto.objects.count() == 1
    assert media_files(held=True) == []


def test_a_held_photo_still_gives_the_location(login, actors, territory):
    """Held photos keep the place read from their EXIF (the EXIF itself is stripped)."""
    client = login(actors.resident)
    data = form_data(point=None, category="", photos=[jpeg(gps=IN_MICRO2)])
    html = post(client, "events:report", data).content.decode()
    assert error_fields(html) == {"category"}
    fixed = form_data(point=None, idempotency_key=data["idempotency_key"])
    fixed["held_photos"] = _held_ids(html)
    assert post(client, "events:report", fixed).status_code == 302
    assert Event.objects.get().area == territory["micro2"]


def test_a_refusal_lists_what_is_missing_in_a_summary(login, actors):
    client = login(actors.resident)
    html = post(client, "events:report", form_data(point=None, description="  ")).content.decode()
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert 'tabindex="-1"' in summary and 'role="alert"' in summary
    # One line per missing thing, each a link to its field.
    assert 'href="#id_description"' in summary
    # The location is checked once the description is given.
    html = post(client, "events:report", form_data(point=None)).content.decode()
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#report-location"' in summary
    assert "Give the location" in summary


def test_every_described_by_reference_is_rendered(login, actors):
    """The photo field's help text (and each error) exists under the id its input names."""
    client = login(actors.resident)
    for response in (
        client.get(reverse("events:report")),
        post(client, "events:report", form_data(category="", description="  ")),
    ):
        html = response.content.decode()
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        described = {
            ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
        }
        assert "id_photos_helptext" in described
        assert described <= ids, described - ids


def test_stale_held_photos_are_swept(login, actors, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from shezhi.events import held_photos
    from shezhi.events.models import HeldPhoto

    client = login(actors.resident)
    post(client, "events:report", form_data(point=None, photos=[jpeg()]))
    assert HeldPhoto.objects.count() == 1
    assert held_photos.sweep(timezone.now() + timedelta(hours=23)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert held_photos.sweep(timezone.now() + timedelta(days=2)) == 1
    assert HeldPhoto.objects.count() == 0
    assert media_files(held=True) == []


# ---------------------------------------------------------------------------
# My reports


def test_my_reports_lists_only_the_users_own_and_me_too(login, actors):
    mine = report(actors.resident, description="我报的：路灯不亮")
    theirs = report(actors.resident2, point=IN_MICRO2, description="别人报的：井盖松动")
    joined = report(actors.resident2, point=IN_MICRO1, description="别人报的：我也遇到")
    act(actors.resident, joined, "me_too")
    patrol = report(actors.mg_worker, source="patrol", description="巡查发现：占道经营")

    response = login(actors.resident).get(reverse("events:my_reports"))
    assert response.status_code == 200
    html = response.content.decode()
    listed = [int(pk) for pk in re.findall(r'data-event="(\d+)"', html)]
    assert sorted(listed) == sorted([mine.pk, joined.pk])
    for event in (theirs, patrol):
        assert event.description not in html
    assert f'href="/events/{mine.pk}/"' in html
    assert f'href="/events/{joined.pk}/"' in html
    assert html.count('data-testid="me-too"') == 1

    other = login(actors.resident2).get(reverse("events:my_reports")).content.decode()
    assert mine.description not in other

    empty = login(actors.nobody).get(reverse("events:my_reports")).content.decode()
    assert 'data-testid="no-reports"' in empty


def test_my_reports_show_the_state(login, actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    html = login(actors.resident).get(reverse("events:my_reports"), HTTP_ACCEPT_LANGUAGE="en")
    # In the resident's words ("Registered" is the staff's).
    assert "Taken on" in html.content.decode()


# ---------------------------------------------------------------------------
# The public map


def test_public_map_page_needs_no_sign_in(client, territory):
    response = client.get(reverse("events:public_map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-url="/events/map/data.json"' in html
    assert "events/report/public-map.js" in html
    assert "<script>" not in html  # no inline script under the CSP
    # The districts' outlines (for orientation without map tiles) and their frame.
    assert "测试区" in html and "邻区" in html
    assert 'data-bbox="30.600000,104.000000,30.800000,104.900000"' in html


def test_public_map_data_is_anonymised(client, actors):
    open_event = report(
        actors.resident, description="我家楼下有人乱倒垃圾，住在3栋2单元", anonymous=True,
        address="凤凰路12号3栋",
    )  # fmt: skip
    hotline = services.report_event(
        submitted_by=actors.community,
        source="hotline",
        category="0101",
        description="来电反映：垃圾堆放",
        lng=IN_MICRO2[0],
        lat=IN_MICRO2[1],
        contact_name="王秀英",
        contact_phone="13812345678",
    ).event
    voided = report(actors.resident2, point=IN_MICRO2, description="误报")
    act(actors.community, voided, "void", reason="无效")

    response = client.get(reverse("events:public_map_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    text = response.content.decode()
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    ids = {f["properties"]["id"] for f in data["features"]}
    assert ids == {open_event.pk, hotline.pk}
    for secret in (
        open_event.description, hotline.description, "凤凰路12号", "王秀英", "13812345678",
        "5678", "resident", "community", "submitted", "reporter", "contact", "description",
        "address",
    ):  # fmt: skip
        assert secret not in text, secret
    for feature in data["features"]:
        assert set(feature["properties"]) == {
            "id", "open", "category", "class", "reported_on", "closed_on",
        }  # fmt: skip
        lng, lat = feature["geometry"]["coordinates"]
        assert round(lng, 3) == lng and round(lat, 3) == lat
        assert feature["properties"]["open"] is True


def test_public_map_data_bbox(client, actors):
    west = report(actors.resident)  # micro1, lng 104.02
    east = report(actors.resident2, point=IN_MICRO2)  # lng 104.07
    url = reverse("events:public_map_data")
    data = client.get(url, {"bbox": "104.0,30.6,104.05,30.7"}).json()
    assert [f["properties"]["id"] for f in data["features"]] == [west.pk]
    data = client.get(url, {"bbox": "104.05,30.6,104.1,30.7"}).json()
    assert [f["properties"]["id"] for f in data["features"]] == [east.pk]
    for bad in ("1,2,3", "a,b,c,d", "104.1,30.6,104.0,30.7", "0,-91,1,0"):
        response = client.get(url, {"bbox": bad})
        assert response.status_code == 400, bad
        assert "error" in response.json()


def test_public_map_shows_closed_events_as_closed(client, actors):
    from tests.events.conftest import run_to_closed

    event = run_to_closed(actors, report(actors.resident))
    data = client.get(reverse("events:public_map_data")).json()
    (feature,) = data["features"]
    assert feature["properties"]["id"] == event.pk
    assert feature["properties"]["open"] is False
    assert feature["properties"]["closed_on"] is not None
