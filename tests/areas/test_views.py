"""The area browser pages: sign-in, scope, counts, search, language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shezhi.areas import views
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def area_url(code: str) -> str:
    return reverse("areas:area", kwargs={"code": code})


BROWSER = "/areas/"

ALL_CODES = [
    "510113",
    "510113001",
    "510113002",
    "510113001001",
    "510113001002",
    "510113001001001",
    "510113001001002",
    "510113001001001001",
    "510113001001001002",
    "510113001001001501",
    "510114",
]

# What each user of the ``users`` fixture may open; everything else is a 404.
VISIBLE = {
    "superuser": set(ALL_CODES),
    "district_admin": {code for code in ALL_CODES if code.startswith("510113")},
    "street_staff": {code for code in ALL_CODES if code.startswith("510113001")},
    "other_street": {"510113002"},
    "other_district": {"510114"},
    "nobody": set(),
}


@pytest.fixture
def login(client, users):
    def _login(key: str):
        assert client.login(username=users[key].username, password=PASSWORD)
        return client

    return _login


def count_in(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}">(\d+)<', html)
    assert match, f"no count {key} on the page"
    return int(match.group(1))


def result_codes(html: str) -> list[str]:
    section = html.split('id="search-results"', 1)
    if len(section) == 1:
        return []
    return re.findall(r'href="/areas/(\d+)/"', section[1].split("</ul>", 1)[0])


# ---------- sign-in ----------


@pytest.mark.parametrize("path", [BROWSER, "/areas/510113/", "/areas/999999/"])
def test_pages_require_sign_in(client, territory, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_login_page_renders_and_signs_in(client, users):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    response = client.post(
        reverse("login"), {"username": "street_staff", "password": PASSWORD}, follow=True
    )
    # Street staff dispatch: they land on their street's queue (issue 12, item 22).
    assert response.redirect_chain[-1][0] == "/events/queue/510113001/"


def test_login_page_shows_an_error_for_a_wrong_password(client, users):
    response = client.post(reverse("login"), {"username": "street_staff", "password": "nope"})
    assert response.status_code == 200
    assert 'class="notice error"' in response.content.decode()


def test_root_leads_to_the_role_s_work_and_the_areas_stay_linked(login):
    client = login("street_staff")
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/events/queue/510113001/"
    assert 'data-testid="nav-areas"' in response.content.decode()
    response = client.get(reverse("areas:browser"), follow=True)
    assert response.redirect_chain[-1][0] == area_url("510113001")


# ---------- scope ----------


@pytest.mark.parametrize("key", list(VISIBLE))
def test_each_user_opens_exactly_their_scope(login, key):
    client = login(key)
    for code in ALL_CODES:
        response = client.get(area_url(code))
        expected = 200 if code in VISIBLE[key] else 404
        assert response.status_code == expected, (key, code, response.status_code)


def test_street_staff_sees_their_street_and_nothing_else(login):
    client = login("street_staff")
    response = client.get(BROWSER)
    assert response.status_code == 302
    assert response.url == area_url("510113001")
    assert client.get(area_url("510113001")).status_code == 200
    assert client.get(area_url("510113001001001501")).status_code == 200
    for code in ("510113002", "510113", "510114"):
        response = client.get(area_url(code))
        assert response.status_code == 404
        assert "areas/not_found.html" in [t.name for t in response.templates]


def test_unknown_code_is_a_404_page(login):
    client = login("superuser")
    for code in ("999999", "510113999", "not-a-code"):
        response = client.get(area_url(code))
        assert response.status_code == 404
        html = response.content.decode()
        assert 'class="card not-found"' in html
        assert "社治港" in html  # the site's own frame, not a bare error


def test_superuser_lists_every_district(login):
    client = login("superuser")
    response = client.get(BROWSER)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/areas/510113/"' in html and "测试区" in html
    assert 'href="/areas/510114/"' in html and "邻区" in html


def test_district_admin_is_taken_to_their_district(login):
    client = login("district_admin")
    response = client.get(BROWSER)
    assert response.url == area_url("510113")


def test_user_without_role_sees_no_area(login):
    client = login("nobody")
    response = client.get(BROWSER)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/areas/5' not in html
    assert 'class="notice"' in html


def test_breadcrumbs_link_only_areas_in_scope(login):
    client = login("street_staff")
    html = client.get(area_url("510113001001001")).content.decode()
    crumbs = html.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    # The district is above the user's scope: named, not linked.
    assert "测试区" in crumbs
    assert 'href="/areas/510113/"' not in crumbs
    assert 'href="/areas/510113001/"' in crumbs
    assert 'href="/areas/510113001001/"' in crumbs
    assert 'aria-current="page">凤凰社区第1网格<' in crumbs


def test_superuser_breadcrumbs_link_the_whole_chain(login):
    client = login("superuser")
    html = client.get(area_url("510113001001001001")).content.decode()
    crumbs = html.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    for code in ("510113", "510113001", "510113001001", "510113001001001"):
        assert f'href="/areas/{code}/"' in crumbs


# ---------- what an area page shows ----------


def test_district_counts_per_level(login):
    html = login("district_admin").get(area_url("510113")).content.decode()
    assert count_in(html, "street") == 2
    assert count_in(html, "community") == 2
    assert count_in(html, "general_grid") == 2
    assert count_in(html, "micro_grid") == 3
    assert count_in(html, "micro_grid_general") == 2
    assert count_in(html, "micro_grid_dedicated") == 1


def test_grid_counts_only_levels_below(login):
    html = login("street_staff").get(area_url("510113001001001")).content.decode()
    assert count_in(html, "micro_grid") == 3
    assert count_in(html, "micro_grid_general") == 2
    assert count_in(html, "micro_grid_dedicated") == 1
    assert 'data-count="street"' not in html
    assert 'data-count="community"' not in html


def test_area_facts(login):
    html = login("street_staff").get(area_url("510113001")).content.decode()
    assert "<h1" in html and "东风街道</h1>" in html
    assert '<dd data-fact="code"><code>510113001</code></dd>' in html
    # 0.2° × 0.2° at 30.7°N is about 19.15 km × 22.2 km.
    match = re.search(r'data-fact="area">([\d.,]+) km²', html)
    assert match
    assert 400 < float(match.group(1).replace(",", "")) < 450


def test_tree_lists_children_with_their_child_counts(login):
    html = login("street_staff").get(area_url("510113001")).content.decode()
    tree = html.split('id="area-tree"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<li class="tree-item[^"]*" data-code="(\d+)"', tree)
    assert items == ["510113001001", "510113001002"]
    # 凤凰社区 has two grids and can be expanded; 同心村 has none.
    assert tree.count('class="tree-toggle"') == 1
    assert 'data-code="510113001001" aria-label=' in tree
    assert 'href="/areas/510113001001/"' in tree
    assert 'href="/areas/510113001002/"' in tree
    assert re.search(r'tree-count">[^<]*\b2\b[^<]*<', tree)


def test_tree_marks_dedicated_micro_grids(login):
    html = login("street_staff").get(area_url("510113001001001")).content.decode()
    assert re.search(r'class="tree-item is-dedicated" data-code="510113001001001501"', html)
    assert 'class="tree-item" data-code="510113001001001001"' in html
    assert 'class="map-legend"' in html


def test_map_fetches_children_or_own_boundary(login):
    client = login("street_staff")
    html = client.get(area_url("510113001")).content.decode()
    assert 'data-boundaries-url="/api/v1/areas/510113001/children/boundaries"' in html
    # The map frames the area before the shapes arrive: [min lat, min lng, max lat, max lng].
    assert 'data-bbox="30.6,104.0,30.8,104.2"' in html
    html = client.get(area_url("510113001001001001")).content.decode()
    assert 'data-boundaries-url=""' in html
    assert 'data-boundary-url="/api/v1/areas/510113001001001001/boundary"' in html
    assert 'id="area-tree"' not in html


def test_map_urls_the_page_uses_answer_in_scope(login):
    client = login("street_staff")
    data = client.get("/api/v1/areas/510113001/children/boundaries").json()
    assert sorted(f["properties"]["code"] for f in data["features"]) == [
        "510113001001",
        "510113001002",
    ]
    assert client.get("/api/v1/areas/510113002/children/boundaries").status_code == 404
    children = client.get("/api/v1/areas/510113001001/children").json()
    assert [a["code"] for a in children] == ["510113001001001", "510113001001002"]


def test_no_inline_scripts_or_handlers(login):
    client = login("superuser")
    for path in (BROWSER, area_url("510113"), area_url("510113001001001501")):
        response = client.get(path)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "/static/vendor/leaflet/" in html or path == BROWSER


def test_tile_layer_only_when_configured(login, settings):
    client = login("street_staff")
    html = client.get(area_url("510113001")).content.decode()
    assert 'data-tile-url=""' in html
    settings.SHEZHI_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.SHEZHI_TILE_ATTRIBUTION = "© Example"
    html = client.get(area_url("510113001")).content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="© Example"' in html


def test_header_shows_user_sign_out_and_back_office_for_staff(login):
    client = login("superuser")
    html = client.get(area_url("510113")).content.decode()
    assert "root" in html
    assert f'action="{reverse("logout")}"' in html
    assert 'href="/admin/"' in html
    client.logout()
    client = login("street_staff")
    html = client.get(area_url("510113001")).content.decode()
    assert "street_staff" in html
    assert 'href="/admin/"' not in html


def test_sign_out_is_a_post(login):
    client = login("street_staff")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(BROWSER).status_code == 302


# ---------- search ----------


def test_search_by_name(login):
    html = login("street_staff").get(BROWSER, {"q": "凤凰"}).content.decode()
    assert result_codes(html) == ["510113001001", "510113001001001", "510113001001002"]


def test_search_by_code_prefix(login):
    html = login("street_staff").get(BROWSER, {"q": "510113001001001"}).content.decode()
    assert result_codes(html) == [
        "510113001001001",
        "510113001001001001",
        "510113001001001002",
        "510113001001001501",
    ]


def test_search_never_returns_areas_outside_scope(login):
    client = login("street_staff")
    codes = result_codes(client.get(BROWSER, {"q": "5101"}).content.decode())
    assert codes
    assert all(code.startswith("510113001") for code in codes)
    for q in ("西湖", "510113002", "邻区", "510114", "测试区"):
        html = client.get(BROWSER, {"q": q}).content.decode()
        assert result_codes(html) == [], q
        assert 'id="search-empty"' in html


def test_search_shows_level_and_kind(login):
    html = login("street_staff").get(BROWSER, {"q": "实验"}).content.decode()
    assert result_codes(html) == ["510113001001001501"]
    assert 'class="area-list-item is-dedicated"' in html


def test_search_keeps_to_the_limit(login, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_LIMIT", 2)
    html = login("superuser").get(BROWSER, {"q": "5101"}).content.decode()
    assert result_codes(html) == ["510113", "510113001"]
    assert 'class="muted"' in html


def test_search_with_one_root_does_not_redirect(login):
    response = login("street_staff").get(BROWSER, {"q": "同心"})
    assert response.status_code == 200
    assert result_codes(response.content.decode()) == ["510113001002"]


# ---------- language ----------


def test_chinese_is_the_default(login):
    html = login("street_staff").get(area_url("510113001")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'aria-pressed="true" class="lang current"' in html


def test_english_language_switch(login):
    client = login("street_staff")
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": area_url("510113001")}, follow=True
    )
    assert response.redirect_chain[-1][0] == area_url("510113001")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Shezhi Harbor" in html
    assert "Sign out" in html
    assert ">Level</dt>" in html
    assert ">Street</dd>" in html
    assert "Communities" in html
    # Switching back.
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": area_url("510113001")}, follow=True
    )
    assert '<html lang="zh-hans">' in response.content.decode()
