"""A resident's sign-in bound to their household: asked for, matched, decided by the
micro-grid worker in scope, told; then "my household" (names only), the report form's
address, and ``bound_users_in``."""

from __future__ import annotations

import pytest
from django.http import Http404

from shezhi.core.errors import BadInput, NotAllowed
from shezhi.core.scope import forget_holdings, roles_of
from shezhi.households import selectors, services
from shezhi.households.models import BindingRequest, Resident
from shezhi.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory
from tests.households.conftest import add_resident, valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(place, shared_cast):
    """h101 (micro1) with 张德明 (head) and 李秀英; the worker of micro1 made first."""
    shared_cast.assemble("mg_worker", "mg_worker2", "community")
    staff = shared_cast.community
    zhang = add_resident(
        staff,
        place.h101,
        "张德明",
        seq=11,
        relation="head",
        id_number=valid_id_number(birth="19500312", seq="011"),
    )
    li = add_resident(staff, place.h101, "李秀英", seq=12, relation="spouse")
    return {"place": place, "zhang": zhang, "li": li, "user": UserFactory(username="zhang_phone")}


def _ask(home, **kw):
    zhang = home["zhang"]
    kw.setdefault("name", "张德明")
    kw.setdefault("id_number", zhang.id_number[-4:])
    return services.request_binding(user=home["user"], household=home["place"].h101, **kw)


def test_a_request_with_name_and_last_four_matches_the_resident_and_tells_the_worker(
    home, shared_cast
):
    made = _ask(home)
    assert made.status == "pending" and made.resident == home["zhang"]
    assert made.area_path == home["place"].h101.area_path
    assert made.id_last4 == home["zhang"].id_number[-4:]
    told = Notification.objects.filter(kind="binding_requested")
    assert {n.user_id for n in told} == {shared_cast.mg_worker.pk}  # not micro2's worker


def test_the_whole_id_number_matches_through_its_blind_index_and_is_not_kept(home):
    made = _ask(home, id_number=home["zhang"].id_number)
    assert made.resident == home["zhang"]
    stored = repr(list(BindingRequest.objects.values_list()))
    assert home["zhang"].id_number not in stored


def test_a_request_that_matches_nobody_is_still_sent_and_says_nothing_of_it(home):
    made = _ask(home, name="王五")
    assert made.status == "pending" and made.resident is None


@pytest.mark.parametrize(
    ("name", "id_number", "field"),
    [
        ("", "1234", "name"),
        ("张" * 51, "1234", "name"),
        ("张德明", "", "id_number"),
        ("张德明", "12", "id_number"),
        ("张德明", "12a4", "id_number"),
        ("张德明", "510113195003120119", "id_number"),  # a wrong check character
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(home, name, id_number, field):
    with pytest.raises(BadInput) as bad:
        _ask(home, name=name, id_number=id_number)
    assert bad.value.field == field
    assert not BindingRequest.objects.exists()


def test_asking_again_replaces_the_pending_request(home):
    first = _ask(home, name="王五")
    second = _ask(home)
    first.refresh_from_db()
    assert first.status == "withdrawn" and second.status == "pending"


def test_the_worker_confirms_binding_the_sign_in_and_the_resident_is_told(home, shared_cast):
    user = home["user"]
    made = _ask(home)
    done = services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=True)
    assert done.status == "confirmed" and done.decided_by == shared_cast.mg_worker
    assert Resident.objects.get(user=user) == home["zhang"]
    forget_holdings(user)
    assert roles_of(user) == {"resident"}
    told = Notification.objects.get(kind="binding_decided")
    assert told.user_id == user.pk
    with pytest.raises(NotAllowed):
        _ask(home)  # already bound
    with pytest.raises(Http404):
        selectors.get_pending_binding(shared_cast.mg_worker, made.pk)  # decided


def test_the_worker_may_name_another_resident_of_the_household(home, shared_cast):
    made = _ask(home, name="王五")
    with pytest.raises(BadInput) as none:
        services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=True)
    assert none.value.field == "resident"
    services.decide_binding(
        actor=shared_cast.mg_worker, binding=made, confirm=True, resident=home["li"].pk
    )
    assert Resident.objects.get(user=home["user"]) == home["li"]


def test_a_resident_of_another_household_cannot_be_chosen(home, shared_cast, place):
    other = add_resident(shared_cast.community, place.h102, "赵六", seq=13)
    made = _ask(home)
    with pytest.raises(BadInput) as bad:
        services.decide_binding(
            actor=shared_cast.mg_worker, binding=made, confirm=True, resident=other.pk
        )
    assert bad.value.field == "resident"
    assert not Resident.objects.filter(user=home["user"]).exists()


def test_refusing_needs_a_reason_and_tells_the_resident_why(home, shared_cast):
    made = _ask(home)
    with pytest.raises(BadInput) as bad:
        services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=False)
    assert bad.value.field == "reason"
    services.decide_binding(
        actor=shared_cast.mg_worker, binding=made, confirm=False, reason="户主说不认识此人"
    )
    made.refresh_from_db()
    assert made.status == "refused"
    assert Notification.objects.get(kind="binding_decided").body == "户主说不认识此人"
    assert not Resident.objects.filter(user=home["user"]).exists()


@pytest.mark.parametrize("who", ["mg_worker2", "grid_worker", "community2", "dept_cg", "resident"])
def test_nobody_outside_the_household_decides(home, shared_cast, who):
    made = _ask(home)
    actor = getattr(shared_cast, who)
    assert made not in selectors.pending_bindings(actor)
    with pytest.raises(Http404):
        services.decide_binding(actor=actor, binding=made, confirm=True)


@pytest.mark.parametrize("who", ["mg_worker", "community", "street", "district"])
def test_the_worker_and_the_staff_over_it_see_the_request(home, shared_cast, who):
    made = _ask(home)
    assert list(selectors.pending_bindings(getattr(shared_cast, who))) == [made]


def test_my_household_shows_the_members_names_only_and_the_report_prefill(home, shared_cast):
    made = _ask(home)
    services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=True)
    mine = selectors.my_household(home["user"])
    # The visits app reads the household's visits for them: none recorded yet.
    assert mine.member_names == ["张德明", "李秀英"] and mine.visits == []
    prefill = selectors.report_prefill(home["user"])
    assert prefill["address"].startswith("凤凰家园")
    assert (prefill["lng"], prefill["lat"]) == (home["place"].b1.lng, home["place"].b1.lat)
    assert selectors.my_household(UserFactory()) is None
    assert selectors.report_prefill(UserFactory()) == {}


def test_bound_users_in_an_area(home, shared_cast, territory):
    made = _ask(home)
    assert list(selectors.bound_users_in(territory["micro1"])) == []
    services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=True)
    assert list(selectors.bound_users_in(territory["micro1"])) == [home["user"].pk]
    assert list(selectors.bound_users_in(territory["district"])) == [home["user"].pk]
    assert list(selectors.bound_users_in(territory["micro2"])) == []


def test_a_visits_source_is_read_when_registered(home, shared_cast, monkeypatch):
    made = _ask(home)
    services.decide_binding(actor=shared_cast.mg_worker, binding=made, confirm=True)
    monkeypatch.setattr(selectors, "_visit_sources", [lambda household: ["2026-11-02 走访"]])
    assert selectors.my_household(home["user"]).visits == ["2026-11-02 走访"]


# ---------------------------------------------------------------- pages


def test_the_pages_from_asking_to_my_household(client, home, shared_cast):
    place = home["place"]
    client.force_login(home["user"])
    assert client.get("/households/mine/")["Location"] == "/households/bind/"
    page = client.get("/households/bind/", {"q": "凤凰"})
    assert "凤凰家园" in page.content.decode()
    page = client.get("/households/bind/", {"building": place.b1.pk})
    assert f'value="{place.h101.pk}"' in page.content.decode()
    refused = client.post(
        "/households/bind/", {"building": place.b1.pk, "household": place.h101.pk, "name": ""}
    )
    assert refused.status_code == 400 and not BindingRequest.objects.exists()
    sent = client.post(
        "/households/bind/",
        {
            "building": place.b1.pk,
            "household": place.h101.pk,
            "name": "张德明",
            "id_number": home["zhang"].id_number[-4:],
        },
    )
    assert sent.status_code == 302
    made = BindingRequest.objects.get()

    client.force_login(shared_cast.mg_worker)
    households_page = client.get("/households/").content.decode()
    assert 'data-testid="bindings-waiting"' in households_page
    listing = client.get("/households/bindings/").content.decode()
    assert f'data-binding="{made.pk}"' in listing
    client.post(f"/households/bindings/{made.pk}/decide/", {"action": "confirm"})
    made.refresh_from_db()
    assert made.status == "confirmed"

    client.force_login(home["user"])
    page = client.get("/households/mine/").content.decode()
    assert "张德明" in page and "李秀英" in page and 'id="household-visits"' in page
    # Nothing of the other member beyond the name: no phone, no ID number's end.
    assert home["li"].phone[-4:] not in page and home["li"].id_number[-4:] not in page
    report = client.get("/events/report/").content.decode()
    assert "凤凰家园" in report


def test_a_resident_does_not_see_the_worker_s_list(client, home, shared_cast):
    client.force_login(home["user"])
    assert client.get("/households/bindings/").status_code == 404
    client.force_login(shared_cast.mg_worker2)
    made = _ask(home)
    assert (
        client.post(f"/households/bindings/{made.pk}/decide/", {"action": "confirm"}).status_code
        == 404
    )


# ---------------------------------------------------------------- API


def test_the_api_from_asking_to_my_household(client, home, shared_cast):
    place = home["place"]
    client.login(username="zhang_phone", password=PASSWORD)
    found = client.get("/api/v1/accounts/places", {"q": "凤凰"}).json()
    assert found[0]["id"] == place.compound.pk
    rooms = client.get("/api/v1/accounts/places", {"building": place.b1.pk}).json()
    assert place.h101.pk in {r["id"] for r in rooms}
    assert client.get("/api/v1/accounts/places", {"building": 99999}).status_code == 404
    bad = client.post(
        "/api/v1/accounts/binding",
        {"household": place.h101.pk, "name": "张德明", "id_number": "12"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "id_number"
    sent = client.post(
        "/api/v1/accounts/binding",
        {"household": place.h101.pk, "name": "张德明", "id_number": home["zhang"].id_number},
        content_type="application/json",
    )
    assert sent.status_code == 201 and sent.json()["status"] == "pending"
    assert client.get("/api/v1/accounts/household").status_code == 404

    client.force_login(shared_cast.mg_worker)
    pending = client.get("/api/v1/accounts/binding/requests").json()
    assert pending[0]["matched_resident"] == home["zhang"].pk
    assert {r["name"] for r in pending[0]["residents"]} == {"张德明", "李秀英"}
    url = f"/api/v1/accounts/binding/requests/{pending[0]['id']}/decide"
    assert client.post(url, {"confirm": "yes"}, content_type="application/json").status_code == 422
    no_reason = client.post(url, {"confirm": False}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert client.post(url, {"confirm": True}, content_type="application/json").status_code == 200

    client.login(username="zhang_phone", password=PASSWORD)
    mine = client.get("/api/v1/accounts/household").json()
    assert mine["members"] == ["张德明", "李秀英"] and mine["visits"] == []
    assert set(mine) == {"household", "place", "address", "lng", "lat", "members", "visits"}
    assert mine["address"].startswith("凤凰家园")
    assert client.get("/api/v1/accounts/binding").json()["status"] == "confirmed"
