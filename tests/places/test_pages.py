"""The service-post pages: nearby (no sign-in), a post's page, the staff registry and forms."""

from __future__ import annotations

import re

import pytest
import time_machine

from shezhi.places.models import ServicePost
from tests.events.conftest import jpeg
from tests.places.conftest import (
    EVENINGS,
    IN_COMMUNITY2,
    IN_MICRO1,
    IN_MICRO2,
    IN_STREET2,
    MONDAY_10,
    MONDAY_19,
    OFFICE,
    OUTSIDE_EVERYTHING,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def posts(make_post):
    return {
        "near": make_post(
            (104.021, 30.621),
            name="近",
            opening_hours=OFFICE,
            services=["代收快递", "法律咨询"],
            responsible="grid_worker",
            phone="028-83931234",
            address="凤凰大道1号",
        ),
        "middle": make_post((104.03, 30.63), name="中", opening_hours=EVENINGS),
        "far": make_post(IN_MICRO2, name="远", opening_hours=OFFICE),
        "east": make_post(IN_STREET2, name="东", opening_hours=OFFICE),
    }


def listed(resp) -> list[int]:
    return [int(x) for x in re.findall(r'class="post-card[^"]*" data-post="(\d+)"', resp.text)]


def test_nearby_lists_the_nearest_open_posts_without_js(client, posts):
    with time_machine.travel(MONDAY_10, tick=False):
        resp = client.get("/posts/", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1]}, **EN)
    assert resp.status_code == 200
    assert listed(resp) == [posts["near"].pk, posts["far"].pk, posts["east"].pk]
    assert "Nearest posts open now" in resp.text
    assert "08:30–12:00, 14:00–17:30" in resp.text
    assert "代收快递" in resp.text
    assert 'data-testid="toggle-closed"' in resp.text and "all=1" in resp.text
    assert 'data-auto-locate="0"' in resp.text

    with time_machine.travel(MONDAY_10, tick=False):
        resp = client.get("/posts/", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "all": "1"})
    assert listed(resp) == [posts[k].pk for k in ("near", "middle", "far", "east")]

    with time_machine.travel(MONDAY_19, tick=False):
        resp = client.get("/posts/", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1]})
    assert listed(resp) == [posts["middle"].pk]


def test_nearby_without_a_location_asks_for_one(client, posts):
    resp = client.get("/posts/", **EN)
    assert resp.status_code == 200
    # Before any location, the posts of the default area (the district) are shown
    # (issue 12, item 32: no more empty grey map); the page still asks for a location.
    assert sorted(listed(resp)) == sorted(p.pk for p in posts.values())
    assert 'data-testid="area-results" data-area="510113"' in resp.text
    assert 'data-area="510113"' in resp.text and "Share your location" in resp.text
    assert 'data-auto-locate="1"' in resp.text
    # The communities holding posts (street2 has none in this territory).
    assert re.findall(r'<option value="(\d+)"', resp.text) == ["510113001001"]
    resp = client.get("/posts/", {"lng": "abc", "lat": "1"}, **EN)
    assert resp.status_code == 200 and "not two numbers" in resp.text
    resp = client.get("/posts/", {"community": "nope"}, **EN)
    assert "No such community" in resp.text


def test_nearby_from_a_picked_community(client, posts):
    with time_machine.travel(MONDAY_10, tick=False):
        resp = client.get("/posts/", {"community": "510113001002", "all": "1"})
    assert listed(resp)[0] != posts["east"].pk
    assert len(listed(resp)) == 4


def test_nearby_data_feeds_the_map(client, posts):
    with time_machine.travel(MONDAY_10, tick=False):
        resp = client.get("/posts/nearby.json", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1]})
    assert resp.status_code == 200
    features = resp.json()["features"]
    assert [f["id"] for f in features] == [posts[k].pk for k in ("near", "far", "east")]
    assert [f["properties"]["rank"] for f in features] == [1, 2, 3]
    assert features[0]["geometry"]["coordinates"] == [104.021, 30.621]
    assert features[0]["properties"]["open"] is True
    assert client.get("/posts/nearby.json", {"lng": "x", "lat": "1"}).status_code == 400
    # Without a point: the default area's posts, no distance (issue 12, item 32).
    body = client.get("/posts/nearby.json").json()
    assert body["area"]["code"] == "510113" and body["point"] is None
    assert sorted(f["id"] for f in body["features"]) == sorted(p.pk for p in posts.values())
    assert {f["properties"]["distance_m"] for f in body["features"]} == {None}


def test_a_posts_public_page(client, posts, actors):
    post = posts["near"]
    with time_machine.travel(MONDAY_10, tick=False):
        resp = client.get(f"/posts/{post.pk}/", **EN)
    assert resp.status_code == 200
    text = resp.text
    assert "近" in text and "凤凰大道1号" in text and "028-83931234" in text
    assert 'data-open="1"' in text and "Open now" in text
    assert (
        'data-day="mon" class="is-today"' in text
        or 'class="is-today" aria-current="date" data-day="mon"' in text
    )
    assert "法律咨询" in text
    assert 'data-testid="post-responsible">grid_worker<' in text
    assert 'data-testid="edit-post"' not in text
    client.force_login(actors.community)
    assert 'data-testid="edit-post"' in client.get(f"/posts/{post.pk}/").text
    post.active = False
    post.save()
    client.logout()
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert client.get("/posts/999999/").status_code == 404


def test_photos_are_served_for_active_posts_only(client, make_post):
    post = make_post(photos=[jpeg()])
    photo = post.photos.get()
    resp = client.get(f"/posts/{post.pk}/photos/{photo.pk}/")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    other = make_post(IN_MICRO2)
    assert client.get(f"/posts/{other.pk}/photos/{photo.pk}/").status_code == 404
    post.active = False
    post.save()
    assert client.get(f"/posts/{post.pk}/photos/{photo.pk}/").status_code == 404


def test_the_registry_is_for_managers_in_scope(client, posts, actors):
    assert client.get("/posts/manage/").status_code == 302  # sign in first
    for user in (actors.grid_worker, actors.resident, actors.nobody):
        client.force_login(user)
        assert client.get("/posts/manage/").status_code == 404
        assert client.get("/posts/manage/new/").status_code == 404
    client.force_login(actors.community)
    resp = client.get("/posts/manage/", **EN)
    assert resp.status_code == 200
    rows = {int(x) for x in re.findall(r'<tr data-post="(\d+)"', resp.text)}
    assert rows == {posts["near"].pk, posts["middle"].pk, posts["far"].pk}
    resp = client.get("/posts/manage/", {"q": "远"})
    assert {int(x) for x in re.findall(r'<tr data-post="(\d+)"', resp.text)} == {posts["far"].pk}
    assert client.get("/posts/manage/", {"area": "510113002"}).status_code == 404
    client.force_login(actors.other_street)
    resp = client.get("/posts/manage/")
    assert {int(x) for x in re.findall(r'<tr data-post="(\d+)"', resp.text)} == {posts["east"].pk}
    assert client.get(f"/posts/manage/{posts['near'].pk}/edit/").status_code == 404
    assert client.post(f"/posts/manage/{posts['near'].pk}/deactivate/").status_code == 404


def form_data(**over):
    data = {
        "name": "誉府会客厅",
        "type": "living_room",
        "lng": str(IN_MICRO1[0]),
        "lat": str(IN_MICRO1[1]),
        "address": "凤凰大道8号",
        "hours": "mon-fri: 09:00-12:00, 14:00-21:00\nsat: 09:00-12:00",
        "services": "邻里议事\n代收快递",
        "responsible": "grid_worker",
        "phone": "028-83930000",
        "description": "",
    }
    data.update(over)
    return data


def test_create_through_the_form(client, actors, territory):
    client.force_login(actors.community)
    resp = client.get("/posts/manage/new/")
    assert resp.status_code == 200 and 'data-testid="form-map"' in resp.text
    assert '<option value="grid_worker" label="grid_worker · ' in resp.text
    resp = client.post("/posts/manage/new/", {**form_data(), "photos": [jpeg()]})
    post = ServicePost.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/posts/{post.pk}/"
    assert post.area == territory["micro1"]
    assert post.opening_hours["fri"] == [["09:00", "12:00"], ["14:00", "21:00"]]
    assert post.opening_hours["sat"] == [["09:00", "12:00"]]
    assert post.services == ["邻里议事", "代收快递"]
    assert post.photos.count() == 1


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"hours": "tue: 18:00-09:00"}, "hours", "Tuesday"),
        ({"hours": "mon: 08:00-12:00, 11:00-13:00"}, "hours", "overlap"),
        (
            {"lng": str(OUTSIDE_EVERYTHING[0]), "lat": str(OUTSIDE_EVERYTHING[1])},
            "location",
            "outside",
        ),
        ({"lng": str(IN_COMMUNITY2[0]), "lat": str(IN_COMMUNITY2[1])}, "location", "manage"),
        ({"lng": "", "lat": ""}, "location", "location"),
        ({"responsible": "ghost"}, "responsible", "no user"),
    ],
)
def test_a_refused_form_shows_the_error_and_writes_nothing(client, actors, over, field, words):
    client.force_login(actors.community)
    resp = client.post("/posts/manage/new/", form_data(**over), **EN)
    assert resp.status_code == 400
    assert 'data-testid="form-errors"' in resp.text
    block = resp.text.split(f'data-field="{field}"', 1)[1].split("</fieldset>", 1)[0][:3000]
    assert words in block
    assert not ServicePost.objects.exists()


def test_edit_deactivate_and_reactivate(client, actors, posts, make_post):
    post = posts["near"]
    client.force_login(actors.community)
    resp = client.get(f"/posts/manage/{post.pk}/edit/")
    assert resp.status_code == 200
    assert "mon: 08:30-12:00, 14:00-17:30" in resp.text
    resp = client.post(f"/posts/manage/{post.pk}/edit/", form_data(name="新名字"))
    assert resp.status_code == 302
    post.refresh_from_db()
    assert post.name == "新名字" and post.opening_hours["sat"] == [["09:00", "12:00"]]
    resp = client.post(f"/posts/manage/{post.pk}/deactivate/")
    assert resp.status_code == 302
    post.refresh_from_db()
    assert not post.active
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert client.get(f"/posts/manage/{post.pk}/edit/").status_code == 200
    client.post(f"/posts/manage/{post.pk}/reactivate/")
    post.refresh_from_db()
    assert post.active
    assert client.get(f"/posts/manage/{post.pk}/deactivate/").status_code == 405
