"""The pages: list, detail, sign-up, my activities, scan, and the staff's pages with scope 404s."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from shezhi.incentives.models import Transfer
from shezhi.volunteering import services
from shezhi.volunteering.models import Signup, VolunteerActivity
from tests.factories import PASSWORD
from tests.volunteering.conftest import place, publish

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def soon(actors, posts):
    return publish(actors.community, posts.post, now=timezone.now(), start_in=H, slots=2)


def test_the_list_is_public_and_shows_post_time_and_places(client, actors, posts, soon):
    place(posts.post, starts_at=timezone.now() - 5 * H, title="已结束")
    resp = client.get("/volunteering/", **EN)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "誉府会客厅" in html and soon.title in html and "已结束" not in html
    assert 'data-slots-left="2"' in html
    near = client.get("/volunteering/?lng=104.02&lat=30.62", **EN).content.decode()
    assert 'data-testid="distance"' in near
    # Nonsense coordinates are ignored, not an error.
    assert client.get("/volunteering/?lng=abc&lat=999").status_code == 200


def test_detail_sign_up_and_cancel(client, actors, soon):
    page = client.get(f"/volunteering/{soon.pk}/", **EN).content.decode()
    assert 'data-testid="sign-in-to-sign-up"' in page
    assert client.post(f"/volunteering/{soon.pk}/sign-up/").status_code == 302
    assert not Signup.objects.exists()  # redirected to sign in
    login(client, "resident")
    resp = client.post(f"/volunteering/{soon.pk}/sign-up/", follow=True, **EN)
    assert resp.status_code == 200 and 'data-testid="signed-up"' in resp.content.decode()
    again = client.post(f"/volunteering/{soon.pk}/sign-up/", follow=True, **EN).content.decode()
    assert "already signed up" in again
    resp = client.post(f"/volunteering/{soon.pk}/cancel-sign-up/", follow=True, **EN)
    assert 'data-testid="sign-up"' in resp.content.decode()
    assert Signup.objects.get().status == "cancelled"
    assert client.get("/volunteering/99999/").status_code == 404
    assert client.get(f"/volunteering/{soon.pk}/sign-up/").status_code == 405


def test_a_full_activity_says_so(client, actors, soon):
    services.sign_up(user=actors.resident2, activity=soon)
    services.sign_up(user=actors.nobody, activity=soon)
    login(client, "resident")
    assert 'data-testid="full"' in client.get(f"/volunteering/{soon.pk}/").content.decode()
    resp = client.post(f"/volunteering/{soon.pk}/sign-up/", follow=True, **EN).content.decode()
    assert "All places are taken" in resp
    assert Signup.objects.filter(user=actors.resident).count() == 0


def test_scan_page_needs_sign_in_then_checks_in_and_out(client, actors, posts):
    now = timezone.now()
    activity = place(posts.post, starts_at=now - H, hours=3)
    Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now - 5 * H)
    token = services.make_scan_token(activity)
    url = f"/volunteering/scan/{token}/"
    resp = client.get(url)
    assert resp.status_code == 302 and resp.url.startswith("/accounts/login/?next=")
    assert token in resp.url or "scan" in resp.url
    login(client, "resident")
    page = client.get(url, **EN).content.decode()
    assert 'data-action="check_in"' in page and 'data-testid="scan-confirm"' in page
    assert Signup.objects.get().checked_in_at is None  # opening the page writes nothing
    done = client.post(url, {"action": "check_in"}, **EN).content.decode()
    assert 'data-testid="scan-done" data-action="check_in" data-already="0"' in done
    twice = client.post(url, {"action": "check_in"}, **EN).content.decode()
    assert 'data-already="1"' in twice and Signup.objects.get().checked_out_at is None
    Signup.objects.update(checked_in_at=activity.starts_at)
    page = client.get(url, **EN).content.decode()
    assert 'data-action="check_out"' in page
    out = client.post(url, {"action": "check_out"}, **EN).content.decode()
    assert 'data-action="check_out" data-already="0"' in out
    minutes = int(re.search(r'data-minutes="(\d+)"', out).group(1))
    assert minutes >= 59
    assert Transfer.objects.filter(cause_type="activity").count() == 1
    mine = client.get("/volunteering/mine/", **EN).content.decode()
    assert f'data-minutes="{minutes}"' in mine and 'data-testid="totals"' in mine


def test_scan_page_shows_specific_errors(client, actors, posts):
    login(client, "resident")
    resp = client.get("/volunteering/scan/forged:token:x/", **EN)
    assert resp.status_code == 400 and 'data-code="token_invalid"' in resp.content.decode()
    activity = place(posts.post, starts_at=timezone.now() + 5 * H)
    token = services.make_scan_token(activity)
    resp = client.get(f"/volunteering/scan/{token}/", **EN)
    assert resp.status_code == 409 and 'data-code="not_signed_up"' in resp.content.decode()
    Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=timezone.now())
    resp = client.post(f"/volunteering/scan/{token}/", {"action": "check_in"}, **EN)
    assert resp.status_code == 409 and 'data-code="too_early"' in resp.content.decode()
    old = services.make_scan_token(activity, now=timezone.now() - dt.timedelta(minutes=11))
    resp = client.get(f"/volunteering/scan/{old}/", **EN)
    assert 'data-code="token_expired"' in resp.content.decode()


def test_mine_needs_sign_in(client):
    assert client.get("/volunteering/mine/").status_code == 302


# ---------------------------------------------------------------------------
# Staff pages


def test_manage_pages_are_for_staff_in_scope(client, actors, posts, soon):
    login(client, "resident")
    for url in (
        "/volunteering/manage/",
        "/volunteering/manage/new/",
        f"/volunteering/manage/{soon.pk}/",
        f"/volunteering/manage/{soon.pk}/qr/",
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    login(client, "community2")
    assert client.get("/volunteering/manage/").status_code == 200
    for url in (f"/volunteering/manage/{soon.pk}/", f"/volunteering/manage/{soon.pk}/qr/",
                f"/volunteering/manage/{soon.pk}/qr/current.json",
                f"/volunteering/manage/{soon.pk}/edit/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/volunteering/manage/{soon.pk}/cancel/").status_code == 404
    assert client.get(f"/volunteering/manage/new/?post={posts.post.pk}").status_code == 404
    soon.refresh_from_db()
    assert soon.status == "published"


def test_publish_from_the_page(client, actors, posts):
    login(client, "post_keeper")
    page = client.get("/volunteering/manage/new/").content.decode()
    assert "誉府会客厅" in page and "同心村服务站" not in page
    start = timezone.localtime(timezone.now() + 24 * H).replace(second=0, microsecond=0)
    data = {
        "post": posts.post.pk,
        "title": "垃圾分类引导",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - H).strftime("%Y-%m-%dT%H:%M"),
        "slots": 4,
    }
    bad = client.post("/volunteering/manage/new/", data, **EN)
    assert bad.status_code == 200 and 'data-testid="error-ends_at"' in bad.content.decode()
    assert not VolunteerActivity.objects.exists()
    other = client.post("/volunteering/manage/new/", {**data, "post": posts.post2.pk}, **EN)
    assert 'data-testid="error-post"' in other.content.decode()
    data["ends_at"] = (start + 2 * H).strftime("%Y-%m-%dT%H:%M")
    resp = client.post("/volunteering/manage/new/", data)
    activity = VolunteerActivity.objects.get()
    assert resp.status_code == 302 and resp.url == f"/volunteering/manage/{activity.pk}/"
    assert activity.starts_at == start and activity.created_by == actors.responsible


def test_roster_names_only_attendance_by_hand_and_cancel(client, actors, posts):
    now = timezone.now()
    activity = place(posts.post, starts_at=now - H, hours=3)
    s = Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now - 5 * H)
    VolunteerActivity.objects.filter(pk=activity.pk).update(signed_up=1)
    login(client, "community")
    page = client.get(f"/volunteering/manage/{activity.pk}/", **EN).content.decode()
    assert "小明 王" in page and "028-83600000" not in page
    assert 'data-attendance="signed_up"' in page
    client.post(f"/volunteering/manage/{activity.pk}/sign-ups/{s.pk}/check-in/")
    s.refresh_from_db()
    assert s.checked_in_by == actors.community
    Signup.objects.filter(pk=s.pk).update(checked_in_at=activity.starts_at)
    client.post(f"/volunteering/manage/{activity.pk}/sign-ups/{s.pk}/check-out/")
    s.refresh_from_db()
    assert s.check_out_method == "staff" and s.minutes >= 59 and s.transfer_id
    page = client.get(f"/volunteering/manage/{activity.pk}/", **EN).content.decode()
    assert 'data-attendance="checked_out"' in page
    assert (
        client.post(f"/volunteering/manage/{activity.pk}/sign-ups/{s.pk}/fly/").status_code == 404
    )
    refused = client.post(f"/volunteering/manage/{activity.pk}/cancel/", follow=True, **EN)
    assert "cannot be cancelled" in refused.content.decode()


def test_qr_page_and_its_refresh(client, actors, soon):
    login(client, "street")
    page = client.get(f"/volunteering/manage/{soon.pk}/qr/").content.decode()
    url = re.search(r'data-scan-url="([^"]+)"', page).group(1)
    assert url.startswith("http://testserver/volunteering/scan/")
    assert 'src="data:image/svg+xml' in page and "volunteering/qr.js" in page
    assert "<script>" not in page  # CSP: no inline scripts
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert services.read_scan_token(token) == soon.pk
    data = client.get(f"/volunteering/manage/{soon.pk}/qr/current.json").json()
    assert data["url"].startswith("http://testserver/volunteering/scan/")
    assert data["svg"].startswith("data:image/svg+xml") and data["refresh_seconds"] == 60


def test_the_staffs_past_activities_go_on_by_cursor_after_the_first_200(client, actors, posts):
    now = timezone.now()
    VolunteerActivity.objects.bulk_create(
        VolunteerActivity(
            post=posts.post, title=f"往期{i:03d}", starts_at=now - (i + 5) * H,
            ends_at=now - (i + 4) * H, slots=5, area_id=posts.post.area_id,
            area_path=posts.post.area_path,
        )
        for i in range(203)
    )  # fmt: skip
    login(client, actors.community.username)
    first = client.get("/volunteering/manage/?when=past", **EN).content.decode()
    rows = re.findall(r"<tr data-activity=\"\d+\">\s*<td><a [^>]*>(往期\d+)</a>", first)
    assert rows == [f"往期{i:03d}" for i in range(200)]
    older = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', first)
    assert older and "when=past" in older[1]
    second = client.get("/volunteering/manage/?" + older[1].replace("&amp;", "&"), **EN)
    html = second.content.decode()
    assert re.findall(r">(往期\d+)</a>", html) == ["往期200", "往期201", "往期202"]
    assert 'rel="prev"' in html and 'rel="next"' not in html
