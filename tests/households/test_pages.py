"""The household pages: the worker's list, a household, a resident, the overview."""

from __future__ import annotations

import pytest

from shezhi.core.models import PersonalDataView
from shezhi.households.models import Resident
from tests.factories import PASSWORD
from tests.households.conftest import add_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast, place):
    head = add_resident(
        cast.community,
        place.h101,
        "张大爷",
        seq=11,
        relation="head",
        tags=["lives_alone", "needs_emergency_help"],
        sensitive_tags=["disability"],
    )
    add_resident(cast.community, place.h101, "王阿姨", seq=14, relation="spouse")
    other = add_resident(cast.community, place.h201, "李娜", seq=12, tags=["party_member"])
    return {"head": head, "other": other}


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def text(resp) -> str:
    return resp.content.decode()


def test_the_worker_lists_their_households_masked(client, cast, place, people):
    c = signed_in(client, cast.mg_worker)
    resp = c.get("/households/")
    page = text(resp)
    assert resp.status_code == 200
    assert (
        f'data-household="{place.h101.pk}"' in page
        and f'data-household="{place.h201.pk}"' not in page
    )
    assert "张**" in page and "张大爷" not in page  # the list masks names
    assert "13800000011" not in page and ">残疾<" not in page
    assert 'data-testid="last-visit">—' in page
    # Search by room, by name; filter by tag.
    assert f'data-household="{place.h102.pk}"' in text(c.get("/households/?q=102"))
    assert f'data-household="{place.h101.pk}"' not in text(c.get("/households/?q=102"))
    assert f'data-household="{place.h101.pk}"' in text(c.get("/households/?q=王"))
    tagged = text(c.get("/households/?tag=needs_emergency_help"))
    assert f'data-household="{place.h101.pk}"' in tagged
    assert f'data-household="{place.h102.pk}"' not in tagged
    assert c.get("/households/?area=510113001001001002").status_code == 404


def test_staff_page_through_their_subtree(client, cast, place, people):
    c = signed_in(client, cast.street)
    page = text(c.get("/households/"))
    assert page.count("data-household=") == 3
    assert "3 户" in page or "3 households" in page


def test_the_household_page_names_its_residents(client, cast, place, people):
    c = signed_in(client, cast.mg_worker)
    page = text(c.get(f"/households/{place.h101.pk}/"))
    assert "张大爷" in page and "王阿姨" in page and "户主" in page
    assert page.index("张大爷") < page.index("王阿姨")  # the head first
    assert "*******0011" in page and "13800000011" not in page
    assert ">残疾<" not in page  # sensitive: only after a reveal
    assert c.get(f"/households/{place.h201.pk}/").status_code == 404


def test_the_resident_page_is_masked_and_reveals_are_audited(client, cast, place, people):
    head = people["head"]
    c = signed_in(client, cast.mg_worker)
    page = text(c.get(f"/households/residents/{head.pk}/"))
    assert "**************" in page and "13800000011" not in page and ">残疾<" not in page
    assert 'value="phone"' in page and 'value="sensitive_tags"' in page
    assert 'value="id_number"' not in page  # an ID number: the staff only
    resp = c.post(
        f"/households/residents/{head.pk}/reveal/",
        {"field": "sensitive_tags", "reason": "应急帮扶准备"},
    )
    assert resp.status_code == 200 and ">残疾<" in text(resp)
    resp = c.post(f"/households/residents/{head.pk}/reveal/", {"field": "phone", "reason": "看"})
    assert resp.status_code == 400 and "13800000011" not in text(resp)
    resp = c.post(
        f"/households/residents/{head.pk}/reveal/", {"field": "id_number", "reason": "核实身份信息"}
    )
    assert resp.status_code == 400  # not a choice for them
    assert list(PersonalDataView.objects.values_list("field_name", flat=True)) == ["sensitive_tags"]
    assert c.get(f"/households/residents/{head.pk}/reveal/").status_code == 302


def test_a_grid_worker_is_not_offered_sensitive_tags(client, cast, place, people):
    c = signed_in(client, cast.grid_worker)
    page = text(c.get(f"/households/residents/{people['head'].pk}/"))
    assert 'value="phone"' in page and 'value="sensitive_tags"' not in page


def test_tags_are_saved_from_the_resident_page(client, cast, place, people):
    c = signed_in(client, cast.mg_worker)
    resident = people["head"]
    resp = c.post(f"/households/residents/{resident.pk}/tags/", {"tags": ["very_old"]})
    assert resp.status_code == 302
    resident.refresh_from_db()
    assert resident.tag_list == ["very_old"]
    assert resident.sensitive_tags == ",disability,"  # left as it was
    c.post(f"/households/residents/{resident.pk}/tags/", {"tags": ["disability"]})
    assert Resident.objects.get(pk=resident.pk).tag_list == ["very_old"]


def test_read_only_roles_are_led_to_the_figures(client, cast, place, people):
    c = signed_in(client, cast.dept_cg)
    resp = c.get("/households/")
    assert resp.status_code == 302 and resp["Location"] == "/households/overview/"
    resp = c.get("/households/overview/")
    assert resp["Location"] == "/households/overview/510113/"
    page = text(c.get("/households/overview/510113/"))
    assert 'data-count="households">3<' in page and 'data-count="residents">3<' in page
    assert 'data-testid="by-sensitive-tag"' not in page
    assert c.get(f"/households/{place.h101.pk}/").status_code == 404
    assert c.get("/households/overview/510114/").status_code == 404


def test_staff_see_sensitive_figures_on_the_overview(client, cast, place, people):
    c = signed_in(client, cast.community)
    page = text(c.get("/households/overview/510113001001/"))
    assert 'data-testid="by-sensitive-tag"' in page
    assert 'data-code="510113001001001"' in page  # a row per child area


def test_residents_have_no_household_pages(client, cast, place, people):
    c = signed_in(client, cast.resident)
    assert c.get("/households/").status_code == 404
    assert c.get("/households/overview/").status_code == 404
    assert c.get(f"/households/{place.h101.pk}/").status_code == 404
