"""The visit pages: record from a household's page, the lists, a visit's page, the
hazard reported as an event in one tap; the households' list shows the last visit and
the overdue ones in red; and who sees what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from shezhi.events.models import Event
from shezhi.visits.models import Visit
from tests.factories import PASSWORD

from .conftest import visit

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG")
    out.seek(0)
    out.name = "door.jpg"
    return out


def test_record_a_visit_from_the_household_page(client, place, residents, shared_cast):
    _login(client, shared_cast.mg_worker)
    page = client.get(f"/households/{place.h101.pk}/")
    assert f"/visits/new/{place.h101.pk}/" in page.content.decode()
    form = client.get(f"/visits/new/{place.h101.pk}/")
    assert form.status_code == 200
    key = form.context["form"].initial["key"]
    data = {"outcome": "met", "met": [str(residents[0].pk)], "items": ["gas", "medical"],
            "notes": "软管老化", "key": key, "photos": [_jpeg()],
            "proposals": [f"{residents[1].pk}:lives_alone:1"]}  # fmt: skip
    resp = client.post(f"/visits/new/{place.h101.pk}/", data)
    v = Visit.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/visits/{v.pk}/"
    # A second tap of the same form records nothing new.
    data["photos"] = [_jpeg()]
    client.post(f"/visits/new/{place.h101.pk}/", data)
    assert Visit.objects.count() == 1
    detail = client.get(f"/visits/{v.pk}/").content.decode()
    assert "软管老化" in detail and f"/visits/{v.pk}/photos/" in detail
    assert f"/households/residents/{residents[1].pk}/" in detail  # apply the proposal there
    photo = v.photos.get()
    assert client.get(f"/visits/{v.pk}/photos/{photo.pk}/").status_code == 200
    assert client.get(f"/visits/{v.pk}/photos/{photo.pk + 99}/").status_code == 404


def test_a_refused_form_names_the_field_and_writes_nothing(client, place, shared_cast):
    _login(client, shared_cast.mg_worker)
    resp = client.post(f"/visits/new/{place.h101.pk}/", {"outcome": "met", "key": "k"})
    assert resp.status_code == 400
    assert resp.context["form"].errors["met"]
    assert not Visit.objects.exists()


def test_a_hazard_becomes_an_event_at_the_building_in_one_tap(client, place, residents,
                                                               shared_cast):  # fmt: skip
    worker = shared_cast.mg_worker
    v = visit(worker, place.h101, outcome="met", met=[residents[0].pk], items=["gas", "legal"])
    _login(client, worker)
    resp = client.post(f"/events/from-visit/{v.pk}/", {"item": "gas"})
    event = Event.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/events/{event.pk}/"
    assert (event.lng, event.lat) == pytest.approx((place.b1.lng, place.b1.lat))
    assert event.category.code == "1202" and event.source == "patrol"
    assert event.area == place.h101.micro_grid
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert f"/visits/{v.pk}/" in page  # the event shows it came from the visit
    # Tapped again: the same event.
    client.post(f"/events/from-visit/{v.pk}/", {"item": "gas"})
    assert Event.objects.count() == 1
    # A need, or an item the visit did not find, is no hazard: 404.
    assert client.post(f"/events/from-visit/{v.pk}/", {"item": "legal"}).status_code == 404
    assert client.post(f"/events/from-visit/{v.pk}/", {"item": "ebike"}).status_code == 404
    # Outside the worker's scope: 404.
    _login(client, shared_cast.mg_worker2)
    assert client.post(f"/events/from-visit/{v.pk}/", {"item": "gas"}).status_code == 404


def test_the_households_list_shows_last_visit_and_overdue(client, place, residents, shared_cast):
    worker = shared_cast.mg_worker
    # h101 (a very old resident: 14 days) visited 3 days ago; h102 (90 days) never.
    v = visit(worker, place.h101)
    Visit.objects.filter(pk=v.pk).update(at=timezone.now() - dt.timedelta(days=3))
    _login(client, worker)
    html = client.get("/households/").content.decode()
    cards = {c.split('"')[0]: c for c in html.split('data-household="')[1:]}
    assert 'data-overdue="true"' not in cards[str(place.h101.pk)]
    assert (timezone.localdate() - dt.timedelta(days=3)).strftime("%Y") in cards[str(place.h101.pk)]
    assert 'data-overdue="true"' in cards[str(place.h102.pk)]
    Visit.objects.filter(pk=v.pk).update(at=timezone.now() - dt.timedelta(days=20))
    html = client.get("/households/").content.decode()
    card = html.split(f'data-household="{place.h101.pk}"')[1].split("</li>")[0]
    assert 'data-overdue="true"' in card


def test_lists_are_scoped(client, place, shared_cast):
    mine = visit(shared_cast.mg_worker, place.h101)
    theirs = visit(shared_cast.mg_worker2, place.h201)
    _login(client, shared_cast.mg_worker)
    assert list(client.get("/visits/").context["visits"]) == [mine]
    assert list(client.get("/visits/?all=1").context["visits"]) == [mine]
    assert client.get(f"/visits/{theirs.pk}/").status_code == 404
    assert client.get(f"/visits/?household={place.h201.pk}").status_code == 404
    _login(client, shared_cast.community)
    assert set(client.get("/visits/?all=1").context["visits"]) == {mine, theirs}
    assert client.get(f"/visits/{theirs.pk}/").status_code == 200
    for reader in (shared_cast.dept_cg, shared_cast.alliance, shared_cast.resident):
        _login(client, reader)
        assert client.get("/visits/").status_code == 404
        assert client.get(f"/visits/{mine.pk}/").status_code == 404
        assert client.get(f"/visits/new/{place.h101.pk}/").status_code == 404
