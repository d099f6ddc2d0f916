"""Issue 12 on the service posts: a mobile number is published only when staff confirm it
is the post's service number (item 3); a day off reads 休息, not an event's 已结案 (item 18);
the nearby page shows the area's posts before any location (item 32); the responsible
person is shown by name (item 30)."""

from __future__ import annotations

import re

import pytest
import time_machine

from shezhi.core.errors import BadInput
from shezhi.people.models import Person
from shezhi.places import selectors, services
from shezhi.places.models import ServicePost
from tests.areas.test_api import bearer
from tests.places.conftest import IN_MICRO1, IN_STREET2, OFFICE, SATURDAY_10

from .test_pages import form_data, listed

pytestmark = pytest.mark.django_db
JSON = "application/json"
MOBILE = "13812345678"


# ---------------------------------------------------------------------------
# Item 3: a mobile number as the public phone


@pytest.mark.parametrize(
    "phone", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 19912345678"]
)
def test_a_mobile_number_is_refused_until_confirmed(make_post, phone):
    with pytest.raises(BadInput) as refused:
        make_post(name="誉府会客厅", phone=phone)
    assert refused.value.field == "public_mobile_confirmed"
    assert "手机号码" in refused.value.message
    assert not ServicePost.objects.exists()
    post = make_post(name="誉府会客厅", phone=phone, public_mobile_confirmed=True)
    assert post.phone == phone


@pytest.mark.parametrize(
    "phone", ["028-83931234", "028 8393 1234", "400-820-1234", "12345", "96196", ""]
)
def test_landlines_and_hotlines_need_no_confirmation(make_post, phone):
    assert make_post(phone=phone).phone == phone


def test_changing_to_a_mobile_asks_again_keeping_it_does_not(make_post, actors):
    post = make_post(phone="028-83931234")
    with pytest.raises(BadInput) as refused:
        services.update_post(actor=actors.community, post=post, phone=MOBILE)
    assert refused.value.field == "public_mobile_confirmed"
    post.refresh_from_db()
    assert post.phone == "028-83931234"
    post = services.update_post(
        actor=actors.community, post=post, phone=MOBILE, public_mobile_confirmed=True
    )
    # Saved again with the same number (the edit form sends every field): no new question.
    post = services.update_post(actor=actors.community, post=post, phone="138-1234-5678")
    assert post.phone == "138-1234-5678"
    with pytest.raises(BadInput):
        services.update_post(actor=actors.community, post=post, phone="13900000000")


def test_the_api_names_the_confirmation_field(client, actors):
    headers = bearer(client, "community_staff")
    body = {"name": "誉府会客厅", "type": "living_room", "lng": IN_MICRO1[0], "lat": IN_MICRO1[1]}
    refused = client.post("/api/v1/posts", {**body, "phone": MOBILE}, content_type=JSON, **headers)
    assert refused.status_code == 400
    assert refused.json()["field"] == "public_mobile_confirmed"
    assert not ServicePost.objects.exists()
    made = client.post(
        "/api/v1/posts",
        {**body, "phone": MOBILE, "public_mobile_confirmed": True},
        content_type=JSON,
        **headers,
    )
    assert made.status_code == 201 and made.json()["phone"] == MOBILE
    post_id = made.json()["id"]
    patched = client.patch(
        f"/api/v1/posts/{post_id}", {"phone": "13900000000"}, content_type=JSON, **headers
    )
    assert patched.status_code == 400 and patched.json()["field"] == "public_mobile_confirmed"
    landline = client.patch(
        f"/api/v1/posts/{post_id}", {"phone": "028-83931234"}, content_type=JSON, **headers
    )
    assert landline.status_code == 200 and landline.json()["phone"] == "028-83931234"


def test_the_form_warns_next_to_the_box_and_saves_once_ticked(client, actors):
    client.force_login(actors.community)
    page = client.get("/posts/manage/new/").content.decode()
    assert 'name="public_mobile_confirmed"' in page
    refused = client.post("/posts/manage/new/", form_data(phone=MOBILE))
    assert refused.status_code == 400 and not ServicePost.objects.exists()
    text = refused.content.decode()
    assert 'data-testid="public_mobile_confirmed-error"' in text
    assert "手机号码" in text and "对外服务电话" in text
    saved = client.post("/posts/manage/new/", form_data(phone=MOBILE, public_mobile_confirmed="on"))
    assert saved.status_code == 302 and ServicePost.objects.get().phone == MOBILE
    # A landline goes through without the box.
    client.post("/posts/manage/new/", form_data(name="另一处", phone="028-83930000"))
    assert ServicePost.objects.filter(name="另一处").exists()


# ---------------------------------------------------------------------------
# Item 18: a day off


def test_a_day_off_reads_休息_not_已结案(client, make_post, actors):
    post = make_post(opening_hours=OFFICE)  # Saturday and Sunday closed
    with time_machine.travel(SATURDAY_10, tick=False):
        page = client.get(f"/posts/{post.pk}/").content.decode()
        week = page[page.index('data-testid="post-week"') :]
        assert re.search(r'data-day="sat"><th scope="row">[^<]+</th><td>休息</td>', week)
        assert "已结案" not in page
        client.force_login(actors.community)
        registry = client.get("/posts/manage/").content.decode()
        assert "<td>休息" in registry and "已结案" not in registry
        api = client.get(f"/api/v1/posts/{post.pk}").json()
        assert api["today_label"] == "休息"
        nearby = client.get("/posts/", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "all": "1"})
        assert "休息" in nearby.content.decode()
        assert "已结案" not in nearby.content.decode()


# ---------------------------------------------------------------------------
# Item 32: the area's posts before any location


def test_the_nearby_page_starts_with_the_residents_community(client, make_post, actors):
    mine = make_post(name="凤凰会客厅")
    far = make_post(IN_STREET2, name="西湖会客厅")
    client.force_login(actors.resident)  # a resident of micro1, in community 凤凰社区
    page = client.get("/posts/")
    assert page.status_code == 200
    assert listed(page) == [mine.pk]
    assert 'data-area="510113001001"' in page.content.decode()
    feed = client.get("/posts/nearby.json", {"area": "510113001001"}).json()
    assert [f["id"] for f in feed["features"]] == [mine.pk]
    # A street's staff start from their street; anybody else from the whole district.
    assert selectors.home_area(actors.other_street).code == "510113002"
    client.logout()
    assert sorted(listed(client.get("/posts/"))) == sorted([mine.pk, far.pk])
    # Given a location, the nearest from there as before.
    near = client.get("/posts/", {"lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "all": "1"})
    assert 'data-testid="area-results"' not in near.content.decode()


def test_no_posts_anywhere_leaves_the_page_asking_for_a_location(client, territory):
    assert selectors.home_area(type("Anon", (), {"is_authenticated": False})()) is None
    page = client.get("/posts/").content.decode()
    assert 'data-testid="area-results"' not in page and 'data-area=""' in page


# ---------------------------------------------------------------------------
# Item 30: the responsible person by name


def test_the_responsible_person_is_shown_by_name(client, make_post, actors, territory):
    Person.objects.create(
        area=territory["grid"],
        name="王芳",
        category="full_time_grid_worker",
        force_type="full_time",
        user=actors.grid_worker,
    )
    post = make_post(responsible="grid_worker")
    client.force_login(actors.community)
    registry = client.get("/posts/manage/").content.decode()
    assert 'data-testid="responsible">王芳<' in registry
    assert "grid_worker" not in registry
    public = client.get(f"/posts/{post.pk}/").content.decode()
    assert 'data-testid="post-responsible">王芳<' in public
    form = client.get(f"/posts/manage/{post.pk}/edit/").content.decode()
    assert 'data-testid="responsible-now">' in form and "王芳" in form
    assert re.search(r'<option value="grid_worker" label="王芳 · [^"]+">', form)
