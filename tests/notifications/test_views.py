"""The notification centre's pages: own notifications only, read marks, the nav badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from shezhi.notifications import services
from shezhi.notifications.models import Notification
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make(user, n: int = 1, **fields) -> list[Notification]:
    """n notifications for the user, a minute apart, the last one newest."""
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind="k",
                title=fields.get("title", f"通知{i:02d}"),
                body=fields.get("body", ""),
                url=fields.get("url", f"/events/{i}/"),
                created_at=now - dt.timedelta(minutes=n - i),
            )
            for i in range(n)
        ]
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    mine = make(people["alice"])[0]
    for url in ("/notifications/", f"/notifications/{mine.pk}/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    for url in ("/notifications/read-all/", f"/notifications/{mine.pk}/read/"):
        resp = client.post(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    mine.refresh_from_db()
    assert mine.read_at is None


def test_list_shows_own_newest_first_with_unread_marked(client, people):
    alice, bob = people["alice"], people["bob"]
    older, newer = make(alice, 2)
    make(bob, 1, title="鲍勃的通知")
    services.mark_read(user=alice, notification_id=older.pk)
    sign_in(client, alice)
    resp = client.get("/notifications/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "鲍勃的通知" not in html
    page = resp.context["page"]
    assert [n.pk for n in page.object_list] == [newer.pk, older.pk]
    assert f'class="notif is-unread" data-notification="{newer.pk}"' in html
    assert f'class="notif" data-notification="{older.pk}"' in html
    assert f'href="/notifications/{newer.pk}/"' in html
    # Only the unread one has a "mark read" button; the badge says 1.
    assert html.count('class="notif-mark"') == 1
    assert resp.context["unread"] == 1
    assert 'data-testid="unread-badge">1<' in html
    assert resp["Cache-Control"].startswith("max-age=0")


def test_list_in_english_and_empty(client, people):
    sign_in(client, people["bob"])
    with translation.override("en"):
        html = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No notifications yet." in html
    assert "unread-badge" not in html and "Mark all read" not in html


def test_list_pages_thirty_at_a_time_and_filters_unread(client, people):
    alice = people["alice"]
    rows = make(alice, 35)
    services.mark_read(user=alice, notification_id=rows[-1].pk)
    sign_in(client, alice)
    first = client.get("/notifications/")
    assert len(first.context["page"].object_list) == 30
    assert first.context["page"].paginator.num_pages == 2
    second = client.get("/notifications/?page=2")
    assert [n.title for n in second.context["page"].object_list] == [
        f"通知{i:02d}" for i in range(4, -1, -1)
    ]
    assert client.get("/notifications/?page=99").context["page"].number == 2  # the last
    assert client.get("/notifications/?page=x").context["page"].number == 1
    unread = client.get("/notifications/?show=unread")
    assert unread.context["page"].paginator.count == 34
    assert rows[-1].pk not in [n.pk for n in unread.context["page"].object_list]
    assert 'href="?show=unread&amp;page=2"' in unread.content.decode()


def test_open_marks_read_and_goes_to_the_link(client, people):
    alice = people["alice"]
    mine = make(alice, url="/areas/")[0]
    sign_in(client, alice)
    resp = client.get(f"/notifications/{mine.pk}/")
    assert resp.status_code == 302 and resp["Location"] == "/areas/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_open_without_a_link_goes_back_to_the_list(client, people):
    alice = people["alice"]
    mine = make(alice, url="")[0]
    # A link that is not a path on this site (written around notify()) is never followed.
    sneaky = make(alice, url="https://evil.example/")[0]
    sign_in(client, alice)
    for n in (mine, sneaky):
        resp = client.get(f"/notifications/{n.pk}/")
        assert resp.status_code == 302 and resp["Location"] == "/notifications/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_a_404_everywhere(client, people):
    theirs = make(people["bob"])[0]
    sign_in(client, people["alice"])
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{theirs.pk + 999}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_posts_back_to_the_same_page(client, people):
    alice = people["alice"]
    mine = make(alice)[0]
    sign_in(client, alice)
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405  # POST only
    resp = client.post(f"/notifications/{mine.pk}/read/", {"next": "/notifications/?page=2"})
    assert resp.status_code == 302 and resp["Location"] == "/notifications/?page=2"
    mine.refresh_from_db()
    assert mine.read_at is not None


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/areas/", "", "javascript:x"]
)
def test_mark_read_never_redirects_elsewhere(client, people, next_url):
    alice = people["alice"]
    mine = make(alice)[0]
    sign_in(client, alice)
    resp = client.post(f"/notifications/{mine.pk}/read/", {"next": next_url})
    assert resp["Location"] == "/notifications/"


def test_mark_all_read(client, people):
    alice, bob = people["alice"], people["bob"]
    make(alice, 3)
    make(bob, 2)
    sign_in(client, alice)
    assert client.get("/notifications/read-all/").status_code == 405
    resp = client.post("/notifications/read-all/", {"next": "/notifications/?show=unread"})
    assert resp["Location"] == "/notifications/?show=unread"
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 2
    with translation.override("en"):
        html = client.get("/notifications/?show=unread", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No unread notifications." in html


def test_every_page_shows_the_unread_badge_in_the_nav(client, people, territory):
    alice = people["alice"]
    make(alice, 120)
    sign_in(client, alice)
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-notifications"' in html
    assert 'data-testid="unread-badge">99+' in html
    client.post("/notifications/read-all/")
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="nav-notifications"' in html and "unread-badge" not in html


def test_the_badge_costs_one_query(client, people, django_assert_num_queries):
    from django.template import engines
    from django.test import RequestFactory

    alice = people["alice"]
    make(alice, 3)
    request = RequestFactory().get("/")
    request.user = alice
    from shezhi.site.context_processors import platform

    context = platform(request)
    with django_assert_num_queries(1):
        rendered = (
            engines["django"]
            .from_string("{{ unread_notifications }}{{ unread_notifications }}")
            .render(context)
        )
    assert rendered == "33"
