"""The site shell: one navigation per role, each role's landing, the name in the header,
长辈模式 remembered, the map attribution prefix (issue 12, items 21, 22, 24, 30, 34, 35)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shezhi.core.models import UserPreference
from shezhi.core.preferences import ELDER_COOKIE
from shezhi.site import navigation
from tests.events.conftest import actors  # noqa: F401
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def nav_ids(html: str, part: str = "") -> list[str]:
    """The navigation test ids in ``part`` ("bar" or "more") of the page, in order."""
    nav = html[html.index('data-testid="main-nav"') :]
    if part == "bar":
        nav = nav[: nav.index('class="nav-more-item"')]
    elif part == "more":
        nav = nav[nav.index('class="nav-more-item"') :]
    return re.findall(r'data-testid="(nav-[\w-]+)"', nav)


def page(client, user, url="/events/map/") -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_each_role_s_main_places_and_the_rest_under_more(client, actors):  # noqa: F811
    bar = {
        actors.resident: ["nav-report", "nav-my-reports", "nav-points"],
        actors.mg_worker: ["nav-inbox", "nav-patrol", "nav-my-reports"],
        actors.community: ["nav-queue", "nav-inbox", "nav-hotline"],
        actors.street: ["nav-queue", "nav-assign", "nav-dashboard"],
        actors.dept_cg: ["nav-inbox", "nav-department", "nav-dashboard"],
        actors.district: ["nav-dashboard", "nav-queue", "nav-assign"],
    }
    for user, expected in bar.items():
        html = page(client, user)
        assert nav_ids(html, "bar") == expected, user.username
        more = nav_ids(html, "more")
        assert not set(expected) & set(more)
        assert {"nav-posts", "nav-volunteering"} <= set(more)
        assert html.count('data-testid="main-nav"') == 1  # built once, not per layout


def test_registry_hotline_and_assign_are_linked_for_the_roles_that_may_use_them(
    client,
    actors,  # noqa: F811
):
    links = {
        user.username: set(nav_ids(page(client, user)))
        for user in (actors.resident, actors.mg_worker, actors.community, actors.street)
    }
    assert not {"nav-posts-manage", "nav-hotline", "nav-assign"} & links["resident"]
    assert not {"nav-hotline", "nav-assign"} & links["mg_worker"]
    assert {"nav-posts-manage", "nav-hotline"} <= links["community"]
    assert "nav-assign" not in links["community"]  # 交办 comes from the street up
    assert {"nav-posts-manage", "nav-hotline", "nav-assign"} <= links["street"]
    # Each link leads to a page that role may open.
    for name in ("places:manage", "events:hotline", "events:assign"):
        client.force_login(actors.street)
        assert client.get(reverse(name)).status_code == 200, name


def test_anonymous_visitors_get_the_public_places_and_sign_in(client):
    html = client.get(reverse("places:nearby")).content.decode()
    assert nav_ids(html, "bar") == ["nav-posts", "nav-volunteering", "nav-sign-in"]
    assert "nav-sign-out" not in html


def test_the_current_page_is_marked_once(client, actors):  # noqa: F811
    html = page(client, actors.community, "/events/queue/510113001001/")
    nav = html[html.index('data-testid="main-nav"') : html.index("</nav>")]
    assert nav.count('aria-current="page"') == 1
    assert re.search(r'<a[^>]*data-testid="nav-queue"[^>]*aria-current="page"', html)


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("district", "/stats/"),
        ("street", "/events/queue/"),
        ("community", "/events/queue/"),
        ("mg_worker", "/events/inbox/"),
        ("grid_worker", "/events/inbox/"),
        ("dept_cg", "/events/inbox/"),
        ("resident", "/events/report/"),
    ],
)
def test_each_role_lands_on_its_work(client, actors, who, landing):  # noqa: F811
    user = getattr(actors, who)
    assert navigation.landing_url(user) == landing
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == landing


def test_a_resident_who_reported_lands_on_my_reports_and_next_still_wins(client, actors):  # noqa: F811
    from tests.events.conftest import report

    report(actors.resident)
    assert navigation.landing_url(actors.resident) == "/events/mine/"
    response = client.post(
        reverse("login") + "?next=/volunteering/",
        {"username": "resident", "password": PASSWORD},
    )
    assert response["Location"] == "/volunteering/"


def test_anonymous_root_asks_to_sign_in(client):
    assert client.get("/")["Location"] == reverse("login")


def test_the_header_shows_the_person_s_name_not_the_username(client, actors):  # noqa: F811
    # The worker's sign-in is linked to the person 李明 (人员台账).
    html = page(client, actors.mg_worker)
    assert re.search(r'data-testid="nav-who"[^>]*>李明</p>', html)
    assert navigation.display_name(actors.mg_worker) == "李明"
    named = make_user("mgw_510113001001002006", first_name="王芳")
    assert navigation.display_name(named) == "王芳"  # the account's own name first
    plain = make_user("someone")
    assert navigation.display_name(plain) == "someone"  # nothing better known


def test_elder_mode_is_remembered_for_the_user_and_in_a_cookie_for_visitors(client, actors):  # noqa: F811
    # A visitor: the cookie.
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "/posts/"})
    assert response.status_code == 302 and response["Location"] == "/posts/"
    assert response.cookies[ELDER_COOKIE].value == "1"
    html = client.get("/posts/").content.decode()
    assert '<html lang="zh-hans" class="elder-mode">' in html
    assert re.search(r'<body class="[^"]*elder-mode', html)
    client.cookies.clear()
    assert 'class="elder-mode"' not in client.get("/posts/").content.decode()
    # A signed-in user: stored, so another browser shows it too.
    client.force_login(actors.resident)
    client.post(reverse("elder_mode"), {"on": "1", "next": "/events/mine/"})
    assert UserPreference.objects.get(user=actors.resident).elder_mode is True
    client.cookies.clear()
    client.force_login(actors.resident)
    html = client.get("/events/mine/").content.decode()
    assert 'class="elder-mode"' in html and 'aria-pressed="true"' in html
    client.post(reverse("elder_mode"), {"on": "0"})
    assert UserPreference.objects.get(user=actors.resident).elder_mode is False
    # Another page can never be the place to go back to.
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_elder_mode_switch_only_answers_post(client):
    assert client.get(reverse("elder_mode")).status_code == 405


def test_the_map_attribution_prefix_and_zoom_names_come_from_the_site(client, settings):
    html = client.get("/posts/").content.decode()
    assert 'data-map-attribution-prefix="Leaflet"' in html
    assert 'data-map-zoom-in="放大"' in html and 'data-map-zoom-out="缩小"' in html
    settings.SHEZHI_MAP_ATTRIBUTION_PREFIX = "社治港 <地图>"
    html = client.get("/posts/").content.decode()
    assert 'data-map-attribution-prefix="社治港 &lt;地图&gt;"' in html


def test_every_page_has_a_skip_link_and_the_shared_script(client):
    html = client.get(reverse("login")).content.decode()
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    assert '<main id="main" tabindex="-1"' in html
    assert "core/site.js" in html


def test_the_shell_reads_the_name_and_the_mode_once_per_session(client, actors):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(actors.mg_worker)
    client.get("/events/map/")  # the first page looks them up
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/events/map/").content.decode()
    assert "李明" in html
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "core_userpreference" not in tables
    assert "people_person" not in tables
    # Switching the mode updates what the session remembers.
    client.post(reverse("elder_mode"), {"on": "1"})
    assert 'class="elder-mode"' in client.get("/events/map/").content.decode()


def test_a_superuser_lands_on_the_dashboard_or_on_the_areas_of_a_fresh_install(db):
    from shezhi.areas.models import Area

    root = make_user("root", is_superuser=True, is_staff=True)
    assert not Area.objects.exists()
    assert navigation.landing_url(root) == "/areas/"  # nothing to dispatch yet: import areas
    from tests.factories import build_territory

    build_territory()
    fresh = type(root).objects.get(pk=root.pk)  # the role cache is per request
    assert navigation.landing_url(fresh) == "/stats/"
