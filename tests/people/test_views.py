"""The workforce pages: people of an area, a person, a team, counts — scoped and masked."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import translation

from shezhi.core import personal_data as pd
from shezhi.core.models import PersonalDataView
from shezhi.people import services
from shezhi.people.models import Assignment, Person
from tests.factories import PASSWORD, make_user
from tests.people.conftest import valid_id_number

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
COMMUNITY = "510113001001"
MICRO1 = "510113001001001001"
MICRO2 = "510113001001001002"
SCHOOL = "510113001001001501"
GRID = "510113001001001"


def people_url(code: str, query: str = "") -> str:
    url = reverse("people:area_people", kwargs={"code": code})
    return f"{url}?{query}" if query else url


def person_url(pk: int) -> str:
    return reverse("people:person", kwargs={"pk": pk})


def reveal_url(pk: int) -> str:
    return reverse("people:reveal", kwargs={"pk": pk})


def team_url(code: str) -> str:
    return reverse("people:team", kwargs={"code": code})


def counts_url(code: str) -> str:
    return reverse("people:counts", kwargs={"code": code})


@pytest.fixture
def login(client):
    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


def listed(html: str) -> list[str]:
    """The names in the people table, in order."""
    return re.findall(
        r'<th scope="row" class="person-name"><a href="/people/\d+/">([^<]+)</a>', html
    )


def count_of(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}">(\d+)<', html)
    assert match, f"no count {key} on the page"
    return int(match.group(1))


def zh(label) -> str:
    """A label as the (Simplified Chinese) pages show it."""
    with translation.override("zh-hans"):
        return str(label)


def crowd(area, n: int, *, prefix: str = "居民", **fields) -> list[Person]:
    """``n`` people in ``area`` with phones, written in one go."""
    people = []
    for i in range(n):
        phone = f"139{i:08d}"
        people.append(
            Person(
                area=area,
                name=f"{prefix}{i:03d}",
                category=fields.get("category", "micro_grid_worker"),
                force_type=fields.get("force_type", "part_time"),
                party_member=fields.get("party_member", i % 2 == 0),
                phone=phone,
                phone_index=pd.blind_index("phone", phone),
                phone_last4=phone[-4:],
            )
        )
    return Person.objects.bulk_create(people)


# ---------- sign-in and scope ----------


def all_urls(person) -> list[str]:
    return [
        people_url(COMMUNITY),
        person_url(person.pk),
        team_url(MICRO1),
        team_url(GRID),
        counts_url(COMMUNITY),
    ]


def test_every_page_needs_sign_in(client, person):
    for url in all_urls(person):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next=")
    response = client.post(reveal_url(person.pk), {"field": "phone", "reason": "核实联系方式"})
    assert response.status_code == 302
    assert PersonalDataView.objects.count() == 0


@pytest.mark.parametrize("who", ["community", "superuser", "district_admin", "street_staff"])
def test_every_page_opens_inside_scope(client, login, person, staff, users, who):
    user = staff.get(who) or users[who]
    login(user)
    for url in all_urls(person):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_community", "other_street", "other_district", "nobody"])
def test_every_page_and_object_is_404_outside_scope(client, login, person, staff, users, who):
    user = staff.get(who) or users[who]
    login(user)
    for url in all_urls(person):
        assert client.get(url).status_code == 404, url
    assert client.get(people_url(MICRO1)).status_code == 404
    assert client.get(counts_url("510113")).status_code == 404
    response = client.post(reveal_url(person.pk), {"field": "phone", "reason": "核实联系方式"})
    assert response.status_code == 404
    assert PersonalDataView.objects.count() == 0


def test_unknown_ids_and_codes_are_404(client, login, person, staff):
    login(staff["community"])
    assert client.get(person_url(person.pk + 999)).status_code == 404
    assert client.get(people_url("510113001001999")).status_code == 404
    assert client.get(team_url("510113001001001999")).status_code == 404
    assert client.get(counts_url("999999")).status_code == 404
    assert client.post(reveal_url(person.pk + 999), {"field": "phone"}).status_code == 404


def test_a_worker_sees_only_their_micro_grid(client, login, person, staff, territory):
    elsewhere = crowd(territory["micro2"], 1, prefix="别处")[0]
    login(staff["worker"])
    assert listed(client.get(people_url(MICRO1)).content.decode()) == ["张伟"]
    assert client.get(people_url(MICRO2)).status_code == 404
    assert client.get(person_url(elsewhere.pk)).status_code == 404
    assert client.get(team_url(MICRO2)).status_code == 404
    assert client.get(team_url(GRID)).status_code == 404


def test_team_page_only_for_grids(client, login, staff):
    login(staff["community"])
    assert client.get(team_url(COMMUNITY)).status_code == 404


# ---------- people of an area ----------


def test_people_list_shows_masked_values_only(client, login, person, staff):
    login(staff["community"])
    response = client.get(people_url(COMMUNITY))
    html = response.content.decode()
    assert listed(html) == ["张伟"]
    row = html.split(f'data-person="{person.pk}"', 1)[1].split("</tr>", 1)[0]
    assert zh(Person.Category.MICRO_GRID_WORKER.label) in row
    assert zh(Person.ForceType.PART_TIME.label) in row
    assert "badge-party" in row and "badge-veteran" not in row
    assert "第1微网格" in row  # area
    assert "*******5678" in row
    assert PHONE not in html and "138 1234 5678" not in html
    assert valid_id_number() not in html
    assert f'href="{person_url(person.pk)}"' in row


def test_people_filters(client, login, person, staff, territory):
    crowd(territory["micro2"], 3, prefix="王", party_member=False, force_type="self_governance")
    veteran = services.create_person(
        actor=staff["community"],
        area=territory["micro2"],
        name="老兵李",
        category="embedded_cadre",
        force_type="professional",
        veteran=True,
        group_leader=True,
        employer="区应急管理局",
    )
    services.assign(
        actor=staff["community"], person=person, area=territory["micro1"], role="responsible_worker"
    )
    services.assign(
        actor=staff["community"], person=veteran, area=territory["micro2"], role="embedded_cadre"
    )
    login(staff["community"])

    def names(query: str) -> list[str]:
        response = client.get(people_url(COMMUNITY, query))
        assert response.status_code == 200
        return listed(response.content.decode())

    assert names("") == ["张伟", "王000", "王001", "王002", "老兵李"]
    assert names("party_member=yes") == ["张伟"]
    assert names("party_member=no") == ["王000", "王001", "王002", "老兵李"]
    assert names("veteran=yes") == ["老兵李"]
    assert names("group_leader=yes") == ["老兵李"]
    assert names("group_leader=no&veteran=no&party_member=no") == ["王000", "王001", "王002"]
    assert names("category=embedded_cadre") == ["老兵李"]
    assert names("force_type=self_governance") == ["王000", "王001", "王002"]
    assert names("role=responsible_worker") == ["张伟"]
    assert names("role=embedded_cadre") == ["老兵李"]
    assert names("role=member") == []
    assert names("q=王001") == ["王001"]
    assert names("q=应急") == ["老兵李"]  # employer
    assert names("q=张&party_member=no") == []
    # A value that is not a choice is ignored, not an error.
    assert names("category=boss&party_member=maybe") == names("")
    # Filters stay in the form.
    html = client.get(people_url(COMMUNITY, "party_member=yes&q=张")).content.decode()
    assert re.search(r'<option value="yes" selected>', html)
    assert 'value="张"' in html
    assert '<details class="more-filters" open>' in html
    # An empty result says so.
    assert (
        'data-testid="no-people"' in client.get(people_url(COMMUNITY, "q=nobody")).content.decode()
    )


def test_people_list_is_scoped_to_the_area(client, login, person, staff, territory):
    crowd(territory["micro2"], 2, prefix="二")
    login(staff["community"])
    assert listed(client.get(people_url(MICRO1)).content.decode()) == ["张伟"]
    assert listed(client.get(people_url(MICRO2)).content.decode()) == ["二000", "二001"]


def test_pagination_keeps_the_filters(client, login, staff, territory):
    crowd(territory["micro1"], 130)  # 65 party members (even numbers)
    login(staff["community"])
    first = client.get(people_url(COMMUNITY)).content.decode()
    assert len(listed(first)) == 50
    assert "130" in first.split('data-testid="people-count"', 1)[1].split("</p>", 1)[0]
    third = client.get(people_url(COMMUNITY, "page=3")).content.decode()
    assert listed(third) == [f"居民{i:03d}" for i in range(100, 130)]
    # out of range or not a number: the nearest real page
    assert listed(client.get(people_url(COMMUNITY, "page=99")).content.decode()) == listed(third)
    assert len(listed(client.get(people_url(COMMUNITY, "page=x")).content.decode())) == 50

    filtered = client.get(people_url(COMMUNITY, "party_member=yes")).content.decode()
    assert len(listed(filtered)) == 50
    links = re.findall(r'href="\?([^"]+)"', filtered)
    assert links, "no page links"
    for link in links:
        assert "party_member=yes" in link and "page=" in link
    page2 = client.get(people_url(COMMUNITY, "party_member=yes&page=2")).content.decode()
    assert listed(page2) == [f"居民{i:03d}" for i in range(100, 130, 2)]


def test_people_list_query_count_does_not_grow_with_rows(
    client, login, staff, territory, django_assert_max_num_queries
):
    few_people = crowd(territory["micro1"], 4)
    Assignment.objects.bulk_create(
        Assignment(
            person=p, area=territory["micro1"], role="member", started_on=dt.date(2026, 1, 1)
        )
        for p in few_people
    )
    login(staff["community"])
    client.get(people_url(COMMUNITY))  # warm the session
    with django_assert_max_num_queries(9) as few:
        response = client.get(people_url(COMMUNITY, "role=member&party_member=yes"))
    assert len(listed(response.content.decode())) == 2
    people = crowd(territory["micro2"], 200, prefix="多")
    Assignment.objects.bulk_create(
        Assignment(
            person=p, area=territory["micro2"], role="member", started_on=dt.date(2026, 1, 1)
        )
        for p in people
    )
    for query in ("", "role=member&party_member=yes", "page=3"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(people_url(COMMUNITY, query))
        assert len(listed(response.content.decode())) == 50


# ---------- a person ----------


def test_person_page_masked_with_assignments_and_history(client, login, person, staff, territory):
    past = services.assign(
        actor=staff["community"],
        person=person,
        area=territory["micro2"],
        role="member",
        started_on=dt.date(2024, 3, 1),
    )
    services.end_assignment(
        actor=staff["community"], assignment=past, ended_on=dt.date(2025, 6, 30), reason="调整分工"
    )
    services.assign(
        actor=staff["community"],
        person=person,
        area=territory["micro1"],
        role="responsible_worker",
        started_on=dt.date(2025, 7, 1),
    )
    login(staff["community"])
    response = client.get(person_url(person.pk))
    html = response.content.decode()
    assert '<h1 id="person-name">张伟' in html
    assert "*******5678" in html
    assert "**************" + valid_id_number()[-4:] in html
    assert PHONE not in html and valid_id_number() not in html
    current = html.split('data-testid="current-assignments"', 1)[1].split("</ul>", 1)[0]
    assert zh(Assignment.Role.RESPONSIBLE_WORKER.label) in current
    assert "第1微网格" in current and f'href="{team_url(MICRO1)}"' in current
    assert "2025年7月1日" in current
    history = html.split('data-testid="past-assignments"', 1)[1].split("</ul>", 1)[0]
    assert "第2微网格" in history
    assert "2024年3月1日" in history and "2025年6月30日" in history
    assert "调整分工" in history
    # A manager of the person's area gets the reveal form.
    assert 'data-testid="reveal-form"' in html
    assert PersonalDataView.objects.count() == 0  # opening the page reveals nothing


def test_person_page_in_english(client, login, person, staff):
    login(staff["community"])
    client.cookies["django_language"] = "en"
    response = client.get(person_url(person.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Serves now" in html and "Reveal a value" in html and "Part-time" in html


# ---------- revealing ----------


def test_reveal_shows_the_clear_value_once_and_records_it(client, login, person, staff):
    login(staff["community"])
    response = client.post(reveal_url(person.pk), {"field": "phone", "reason": "核实联系方式"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="revealed-value" data-testid="revealed-value">{PHONE}</p>' in html
    assert "no-store" in response["Cache-Control"]
    view = PersonalDataView.objects.get()
    assert (view.user, view.field_name, view.reason, view.object_id) == (
        staff["community"],
        "phone",
        "核实联系方式",
        str(person.pk),
    )
    response = client.post(
        reveal_url(person.pk), {"field": "id_number", "reason": "办理补贴核对身份"}
    )
    assert valid_id_number() in response.content.decode()
    assert PersonalDataView.objects.count() == 2
    # The person's page stays masked afterwards.
    assert PHONE not in client.get(person_url(person.pk)).content.decode()


def test_reveal_without_reason_reshows_the_form_and_records_nothing(client, login, person, staff):
    login(staff["community"])
    for reason in ("", "   ", "看看"):  # missing, blank, too short
        response = client.post(reveal_url(person.pk), {"field": "phone", "reason": reason})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="reveal-form"' in html
        assert 'class="field-error"' in html
        assert PHONE not in html
    assert PersonalDataView.objects.count() == 0
    bad_field = client.post(reveal_url(person.pk), {"field": "name", "reason": "核实联系方式"})
    assert 'class="field-error"' in bad_field.content.decode()
    assert PersonalDataView.objects.count() == 0


def test_reveal_is_404_for_someone_who_may_see_but_not_unmask(client, login, person, staff):
    login(staff["worker"])
    page = client.get(person_url(person.pk))
    assert page.status_code == 200
    assert 'data-testid="reveal-form"' not in page.content.decode()
    assert "*******5678" in page.content.decode()
    response = client.post(reveal_url(person.pk), {"field": "phone", "reason": "核实联系方式"})
    assert response.status_code == 404
    assert PHONE not in response.content.decode()
    # even with no reason: the refusal comes first
    assert client.post(reveal_url(person.pk), {"field": "phone"}).status_code == 404
    assert PersonalDataView.objects.count() == 0


def test_reveal_only_by_post(client, login, person, staff):
    login(staff["community"])
    response = client.get(reveal_url(person.pk))
    assert response.status_code == 302 and response.url == person_url(person.pk)
    assert PersonalDataView.objects.count() == 0
    login(staff["other_community"])
    assert client.get(reveal_url(person.pk)).status_code == 404


# ---------- a team ----------


@pytest.fixture
def team(territory, staff, person):
    """micro1: 张伟 responsible, a member and a cadre; the grid has a full-time worker."""
    actor = staff["community"]
    member = services.create_person(
        actor=actor,
        area=territory["micro1"],
        name="李梅",
        category="micro_grid_worker",
        force_type="self_governance",
    )
    cadre = services.create_person(
        actor=actor,
        area=territory["micro1"],
        name="赵干部",
        category="embedded_cadre",
        force_type="professional",
        employer="区民政局",
        party_member=True,
    )
    full_time = services.create_person(
        actor=actor,
        area=territory["community"],
        name="周专职",
        category="full_time_grid_worker",
        force_type="full_time",
    )
    services.assign(actor=actor, person=person, area=territory["micro1"], role="responsible_worker")
    services.assign(actor=actor, person=member, area=territory["micro1"], role="member")
    services.assign(actor=actor, person=cadre, area=territory["micro1"], role="embedded_cadre")
    services.assign(actor=actor, person=full_time, area=territory["grid"], role="full_time_worker")
    return {"member": member, "cadre": cadre, "full_time": full_time}


def section(html: str, testid: str) -> str:
    parts = html.split(f'data-testid="{testid}"', 1)
    assert len(parts) == 2, f"no {testid} on the page"
    return parts[1].split("</ul>", 1)[0]


def test_team_page_of_a_micro_grid(client, login, person, staff, team):
    login(staff["community"])
    html = client.get(team_url(MICRO1)).content.decode()
    assert "张伟" in section(html, "responsible-worker")
    assert "李梅" in section(html, "members")
    assert "赵干部" in section(html, "cadres") and "区民政局" in section(html, "cadres")
    assert "周专职" in section(html, "full-time-workers")
    assert 'data-testid="candidates"' not in html
    assert f'href="{person_url(person.pk)}"' in html
    assert PHONE not in html


def test_team_links_only_people_the_user_may_open(client, login, person, staff, team):
    # The worker of micro1 sees the grid's full-time worker by name, but the
    # record lies in the community, outside their scope: no link to a 404.
    login(staff["worker"])
    html = client.get(team_url(MICRO1)).content.decode()
    full_time = section(html, "full-time-workers")
    assert "周专职" in full_time
    assert person_url(team["full_time"].pk) not in full_time
    assert f'href="{person_url(person.pk)}"' in html


def test_team_page_ranks_candidates_when_nobody_is_responsible(client, login, staff, territory):
    actor = staff["community"]

    def add(name, **flags):
        return services.create_person(
            actor=actor,
            area=territory["micro2"],
            name=name,
            category="micro_grid_worker",
            force_type="part_time",
            lives_in=territory["micro2"],
            **flags,
        )

    add("老兵", veteran=True)
    add("楼栋长", group_leader=True)
    add("党员", party_member=True)
    add("居民")
    login(actor)
    html = client.get(team_url(MICRO2)).content.decode()
    assert 'data-testid="no-worker"' in html
    ranked = html.split('data-testid="candidates"', 1)[1].split("</ol>", 1)[0]
    names = re.findall(r'<a href="/people/\d+/">([^<]+)</a>', ranked)
    assert names == ["党员", "楼栋长", "老兵", "居民"]
    ranks = re.findall(r'data-rank="(\d+)"', ranked)
    assert ranks == ["1", "2", "3", "4"]
    with translation.override("zh-hans"):
        first = translation.gettext("party member (first priority)")
    assert first in ranked.split('data-rank="2"', 1)[0]
    assert ranked.count('<ul class="reasons">') == 4


def test_dedicated_micro_grid_lists_no_candidates(client, login, staff, territory):
    services.create_person(
        actor=staff["community"],
        area=territory["school"],
        name="校内党员",
        category="micro_grid_worker",
        force_type="part_time",
        party_member=True,
        works_in=territory["school"],
    )
    login(staff["community"])
    html = client.get(team_url(SCHOOL)).content.decode()
    assert 'data-testid="candidates"' not in html
    assert 'data-testid="no-worker"' in html


def test_team_page_of_a_general_grid(client, login, person, staff, team):
    login(staff["community"])
    html = client.get(team_url(GRID)).content.decode()
    assert "周专职" in section(html, "full-time-workers")
    grids = section(html, "micro-grids")
    rows = re.findall(r'<li class="member">(.*?)</li>', grids, flags=re.S)
    by_name = {re.search(r">([^<]+)</a>", r).group(1): r for r in rows}
    assert set(by_name) == {"第1微网格", "第2微网格", "实验小学"}
    assert "badge-warning" not in by_name["第1微网格"]
    assert "badge-warning" in by_name["第2微网格"]  # a general micro-grid without a worker
    assert "badge-warning" not in by_name["实验小学"]  # dedicated: not in the three-priority list


# ---------- counts ----------


def test_counts_per_category_force_type_and_child(client, login, person, staff, territory, team):
    crowd(territory["micro2"], 4, force_type="self_governance")
    services.create_person(
        actor=staff["other_community"],
        area=territory["community2"],
        name="同心村委员",
        category="community_committee",
        force_type="part_time",
    )
    login(make_user("street1_staff", role="street_staff", area=territory["street1"]))
    html = client.get(counts_url("510113001")).content.decode()
    assert count_of(html, "total") == 4 + 4 + 1  # 张伟, member, cadre, full-time; 4; 1
    assert count_of(html, "category-micro_grid_worker") == 2 + 4
    assert count_of(html, "category-embedded_cadre") == 1
    assert count_of(html, "category-full_time_grid_worker") == 1
    assert count_of(html, "category-community_committee") == 1
    assert count_of(html, "force_type-self_governance") == 1 + 4
    assert count_of(html, "force_type-professional") == 1
    assert count_of(html, "force_type-full_time") == 1
    assert count_of(html, "force_type-part_time") == 2
    assert "category-other" not in html  # nobody in "other": no column for it

    table = html.split('data-testid="children-category"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<tr data-code="(\w*)">(.*?)</tr>', table, flags=re.S))
    assert set(rows) == {COMMUNITY, "510113001002", "total"}
    assert count_of(rows[COMMUNITY], "total") == 8
    assert count_of(rows[COMMUNITY], "micro_grid_worker") == 6
    assert count_of(rows["510113001002"], "total") == 1
    assert count_of(rows["510113001002"], "community_committee") == 1
    assert count_of(rows["total"], "total") == 9
    forces = html.split('data-testid="children-force_type"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<tr data-code="(\w*)">(.*?)</tr>', forces, flags=re.S))
    assert count_of(rows[COMMUNITY], "self_governance") == 5
    assert count_of(rows["510113001002"], "part_time") == 1
    # An inactive person is not counted.
    Person.objects.filter(name="同心村委员").update(active=False)
    assert count_of(client.get(counts_url("510113001")).content.decode(), "total") == 8


def test_counts_of_a_micro_grid_have_no_child_table(client, login, person, staff):
    login(staff["community"])
    html = client.get(counts_url(MICRO1)).content.decode()
    assert count_of(html, "total") == 1
    assert "children-category" not in html


def test_counts_in_few_queries(client, login, staff, territory, django_assert_max_num_queries):
    crowd(territory["micro1"], 30)
    crowd(territory["community2"], 30, prefix="乙")
    login(staff["community"])
    client.get(counts_url("510113"))
    login(make_user("district", role="district_admin", area=territory["district"]))
    client.get(counts_url("510113"))
    # 10 for the page, +1 for the header's unread-notification count.
    with django_assert_max_num_queries(11):
        html = client.get(counts_url("510113")).content.decode()
    assert count_of(html, "total") == 60


# ---------- the area page links here ----------


def test_area_page_links_to_the_workforce_pages(client, login, staff):
    login(staff["community"])
    html = client.get(reverse("areas:area", kwargs={"code": MICRO1})).content.decode()
    assert f'href="{people_url(MICRO1)}"' in html
    assert f'href="{counts_url(MICRO1)}"' in html
    assert f'href="{team_url(MICRO1)}"' in html
    html = client.get(reverse("areas:area", kwargs={"code": COMMUNITY})).content.decode()
    assert f'href="{people_url(COMMUNITY)}"' in html
    assert 'data-link="team"' not in html


# ---------- the article's figures ----------


@pytest.mark.slow
def test_district_counts_show_the_article_figures(client, login):
    from django.core.management import call_command

    # The territory and the workforce; no household base (its own tests build one).
    call_command("demo", "--no-progress", "--no-events", "--households", "0", stdout=StringIO())
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="qbj_admin")
    admin.set_password(PASSWORD)
    admin.save()
    login(admin)
    html = client.get(counts_url("510113")).content.decode()
    assert count_of(html, "category-full_time_grid_worker") == 347
    assert count_of(html, "category-micro_grid_worker") == 5573
    assert count_of(html, "category-embedded_cadre") == 3072
    assert count_of(html, "category-street_cadre") == 636
    assert count_of(html, "category-community_committee") == 640
    table = html.split('data-testid="children-category"', 1)[1].split("</table>", 1)[0]
    street_totals = [
        int(n)
        for _code, n in re.findall(
            r'<tr data-code="(\d{9})">.*?data-count="total">(\d+)<', table, flags=re.S
        )
    ]
    assert sum(street_totals) == 347 + 5573 + 3072 + 636 + 640


# ---------- what a role that reads figures only is told ----------


@pytest.mark.parametrize(
    ("role", "label"),
    [("department_staff", "职能部门"), ("resident", "居民"), ("alliance_viewer", "联盟")],
)
def test_roles_without_the_list_are_told_what_they_see_and_led_to_the_counts(
    client, login, person, territory, role, label
):
    """Not "本区域尚未登记人员" while the counts show people: say what the role sees."""
    user = make_user(f"reader_{role}", role=role, area=territory["community"])
    login(user)
    html = client.get(people_url(COMMUNITY)).content.decode()
    assert "本区域尚未登记人员" not in html
    notice = re.search(r'data-testid="people-not-readable">(.*?)</section>', html, re.S)
    assert notice, "no notice saying what the role sees"
    assert label in notice.group(1) and "力量统计" in notice.group(1)
    assert f'href="{counts_url(COMMUNITY)}"' in notice.group(1)
    assert listed(html) == [] and "张伟" not in html
    assert 'data-testid="people-filter"' not in html
    counts = client.get(counts_url(COMMUNITY)).content.decode()
    assert count_of(counts, "total") >= 1  # the figures the notice points to


def test_someone_responsible_for_part_of_the_area_is_told_the_list_is_partial(
    client, login, person, territory
):
    # a district department's staff member who also serves one micro-grid
    user = make_user("cadre", role="department_staff", area=territory["district"])
    from shezhi.people.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role="micro_grid_worker", area=territory["micro1"])
    crowd(territory["micro2"], 2, prefix="别处")
    login(user)
    html = client.get(people_url(COMMUNITY)).content.decode()
    assert listed(html) == ["张伟"]
    assert 'data-testid="people-partly-readable"' in html
    assert f'href="{people_url(MICRO1)}"' in html and f'href="{counts_url(COMMUNITY)}"' in html


def test_a_reader_of_the_whole_area_gets_no_notice(client, login, person, staff):
    login(staff["community"])
    html = client.get(people_url(COMMUNITY)).content.decode()
    assert listed(html) == ["张伟"] and "reach-notice" not in html
