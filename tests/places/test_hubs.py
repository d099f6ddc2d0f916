"""The four-level service hubs (社治港湾 / 港口 / 码头 / 小区服务集装箱): the model's
constraints, the services' refusals (a 4xx naming the field, nothing written), scope (404
outside, 403 for those who know the hub but may not change it), the figure registry,
the API and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.periods import Period
from shezhi.places import hooks, selectors, services
from shezhi.places.models import HubDuty, ServiceHub
from tests.factories import (
    PASSWORD,
    BuildingFactory,
    CompoundFactory,
    DailyRollupFactory,
    EventFactFactory,
    EventFactory,
    HouseholdFactory,
    PersonFactory,
    ServicePostFactory,
    SignupFactory,
    VolunteerActivityFactory,
)

from .conftest import IN_COMMUNITY2, IN_MICRO1, IN_MICRO2, IN_STREET2, OFFICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubs(actors, territory):
    """A hub per tier down micro1's branch: district, street1, community, one compound."""
    t = territory
    root = actors.root
    made = {
        "district": services.create_hub(
            actor=root, tier="district", area=t["district"], name="测试区社治港湾",
            lng=IN_MICRO1[0], lat=IN_MICRO1[1], opening_hours=OFFICE,
        ),
        "street": services.create_hub(
            actor=root, tier="street", area=t["street1"].code, name="东风街道社治港口",
            lng=IN_MICRO1[0], lat=IN_MICRO1[1],
        ),
        "community": services.create_hub(
            actor=root, tier="community", area=t["community"].code, name="凤凰社区社治码头",
            lng=IN_MICRO1[0], lat=IN_MICRO1[1],
        ),
    }  # fmt: skip
    compound = CompoundFactory(community=t["community"], name="誉府小区")
    BuildingFactory(compound=compound, micro_grid=t["micro1"], area_path=t["micro1"].path)
    made["compound"] = services.create_hub(
        actor=root, tier="compound", compound=compound.pk, name="誉府小区服务集装箱",
        lng=IN_MICRO1[0], lat=IN_MICRO1[1],
    )  # fmt: skip
    made["compound_row"] = compound
    return made


def hub_kwargs(territory, **kw):
    base = {
        "tier": "community",
        "area": territory["community2"].code,
        "name": "同心村社治码头",
        "lng": IN_COMMUNITY2[0],
        "lat": IN_COMMUNITY2[1],
    }
    base.update(kw)
    return base


# ------------------------------------------------------------------ model and services


def test_one_hub_per_area_and_per_compound_is_a_database_constraint(hubs, territory):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceHub.objects.create(
            tier="community", name="第二个码头", area=territory["community"],
            area_path=territory["community"].path, lng=104.02, lat=30.62,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceHub.objects.create(
            tier="compound", name="第二个集装箱", area=territory["community"],
            area_path=territory["community"].path, compound=hubs["compound_row"],
            lng=104.02, lat=30.62,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # a compound tier names one
        ServiceHub.objects.create(
            tier="compound", name="无小区", area=territory["community2"],
            area_path=territory["community2"].path, lng=104.15, lat=30.7,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tier": "village"}, "tier"),
        ({"area": ""}, "area"),
        ({"area": "999999"}, "area"),  # unknown: reads like one outside the scope
        ({"tier": "street"}, "area"),  # a community is not a street
        ({"tier": "compound"}, "compound"),
        ({"compound": 1}, "compound"),  # only a compound hub names one
        ({"name": " "}, "name"),
        ({"lng": IN_STREET2[0], "lat": IN_STREET2[1]}, "location"),  # outside the area
        ({"lng": 110.0, "lat": 30.0}, "location"),
        ({"opening_hours": {"mon": [["12:00", "08:00"]]}}, "opening_hours"),
        ({"services": "社保"}, "services"),
        ({"phone": "13912345678"}, "public_mobile_confirmed"),
        ({"duties": [{"person": 999_999, "days": ["mon"]}]}, "duties"),
        ({"duties": [{"person": 1, "days": ["someday"]}]}, "duties"),
        ({"duties": [{"person": 1, "days": []}]}, "duties"),
        ({"duties": "张三"}, "duties"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    actors, territory, change, field
):
    with pytest.raises(BadInput) as caught:
        services.create_hub(actor=actors.root, **hub_kwargs(territory, **change))
    assert caught.value.field == field
    assert not ServiceHub.objects.exists() and not HubDuty.objects.exists()


def test_a_second_hub_for_an_area_is_refused_naming_the_area(hubs, actors, territory):
    with pytest.raises(BadInput) as caught:
        services.create_hub(
            actor=actors.root, **hub_kwargs(territory, area=territory["community"].code,
                                            lng=IN_MICRO2[0], lat=IN_MICRO2[1])
        )  # fmt: skip
    assert caught.value.field == "area"
    with pytest.raises(BadInput) as caught:
        services.create_hub(
            actor=actors.root, tier="compound", compound=hubs["compound_row"].pk, name="再开",
            lng=IN_MICRO1[0], lat=IN_MICRO1[1],
        )  # fmt: skip
    assert caught.value.field == "compound"
    assert ServiceHub.objects.count() == 4


def test_a_roster_names_active_people_of_the_hub_area_once(hubs, actors, territory):
    inside = PersonFactory(area=territory["micro1"], name="王芳")
    outside = PersonFactory(area=territory["community2"], name="李强")
    hub = hubs["community"]
    for roster in (
        [{"person": outside.pk, "days": ["mon"]}],
        [{"person": inside.pk, "days": ["mon"]}, {"person": inside.pk, "days": ["tue"]}],
    ):
        with pytest.raises(BadInput) as caught:
            services.update_hub(actor=actors.root, hub=hub, duties=roster)
        assert caught.value.field == "duties"
    services.update_hub(
        actor=actors.root, hub=hub,
        duties=[{"person": inside.pk, "days": ["sun", "mon", "mon"], "duty": "值班社工"}],
    )  # fmt: skip
    assert list(hub.duties.values_list("days", "duty")) == [(["mon", "sun"], "值班社工")]
    monday = timezone.make_aware(dt.datetime(2026, 11, 23, 10))
    tuesday = monday + dt.timedelta(days=1)
    assert [d.name for d in selectors.on_duty(hub, monday)] == ["王芳"]
    assert selectors.on_duty(hub, tuesday) == []
    inside.active = False
    inside.save()
    assert selectors.on_duty(hub, monday) == []


def test_staff_change_the_hubs_of_their_scope_only(hubs, actors):
    # Community staff: their community's hubs (and its compounds'); not the street's,
    # which they know (they work inside its area): a refusal, not a 404.
    services.update_hub(actor=actors.community, hub=hubs["community"], name="凤凰码头")
    services.update_hub(actor=actors.community, hub=hubs["compound"], active=False)
    with pytest.raises(Forbidden):
        services.update_hub(actor=actors.community, hub=hubs["street"], name="x")
    with pytest.raises(Forbidden):
        services.update_hub(actor=actors.grid_worker, hub=hubs["community"], name="x")
    # Another street's staff hold no role in or over it: 404.
    with pytest.raises(Exception) as caught:
        services.update_hub(actor=actors.other_street, hub=hubs["street"], name="x")
    assert caught.type.__name__ == "Http404"
    with pytest.raises(Exception) as caught:
        services.update_hub(actor=actors.other_district, hub=hubs["district"], name="x")
    assert caught.type.__name__ == "Http404"
    # Opening one: only over their own areas (an area elsewhere reads like none).
    with pytest.raises(BadInput) as refused:
        services.create_hub(actor=actors.community, **hub_kwargs_for_other(actors))
    assert refused.value.field == "area"
    with pytest.raises(Forbidden):
        services.create_hub(actor=actors.resident, **hub_kwargs_for_other(actors))


def hub_kwargs_for_other(actors):
    return {"tier": "community", "area": "510113001002", "name": "同心村社治码头",
            "lng": IN_COMMUNITY2[0], "lat": IN_COMMUNITY2[1]}  # fmt: skip


# ------------------------------------------------------------------ reads


def test_parents_children_and_the_hubs_serving_an_area(hubs, territory):
    district, street, community, compound = (
        hubs[k] for k in ("district", "street", "community", "compound")
    )
    assert selectors.child_hubs(district) == [street]
    assert selectors.child_hubs(street) == [community]
    assert selectors.child_hubs(community) == [compound]
    assert selectors.child_hubs(compound) == []
    assert selectors.parent_hubs(compound) == [district, street, community]
    assert selectors.hubs_at_area(territory["micro1"]) == [district, street, community, compound]
    assert selectors.hubs_at_area(territory["community2"]) == [district, street]
    services.update_hub(actor=hubs["compound"].area and _root(hubs), hub=compound, active=False)
    assert selectors.child_hubs(community) == []


def _root(hubs):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="root")


def test_posts_below_a_hub_are_those_of_its_reach(hubs, territory):
    ServicePostFactory(area=territory["micro1"], name="誉府会客厅")
    ServicePostFactory(area=territory["micro2"], name="凤凰日间照料中心")
    ServicePostFactory(area=territory["community2"], name="同心村党群服务中心")
    ServicePostFactory(area=territory["micro1"], name="停用的", active=False)
    posts, count = selectors.posts_below(hubs["community"])
    assert count == 2 and {p.name for p in posts} == {"誉府会客厅", "凤凰日间照料中心"}
    posts, count = selectors.posts_below(hubs["compound"])  # its building's micro-grid
    assert count == 1 and posts[0].name == "誉府会客厅"
    assert selectors.posts_below(hubs["district"])[1] == 3


# ------------------------------------------------------------------ figures


def test_only_registered_figures_are_counted_and_each_provider_is_asked_once(hubs):
    calls = []

    def many(targets, period):
        calls.append(len(targets))
        return [len(getattr(t, "path", "")) for t in targets]

    hooks.register_hub_figure("probe", "探针", lambda t, p: 0, many=many, order=99)
    try:
        found = selectors.figures(
            hubs["street"],
            selectors.child_hubs(hubs["street"]),
            Period.of(None, None, today=timezone.localdate()),
        )
        assert "probe" in [f.key for f in found.figures]
        assert calls == [2]  # the hub and its one child, in one call
        i = [f.key for f in found.figures].index("probe")
        assert found.own[i] == len(hubs["street"].area.path)
    finally:
        hooks.unregister_hub_figure("probe")
    assert "probe" not in [f.key for f in hooks.hub_figures()]


def test_events_handled_and_volunteers_follow_their_one_definition(hubs, territory):
    today = timezone.localdate()
    period = Period.of(today.replace(day=1), today, today=today)
    for area, handled in ((territory["micro1"], 1), (territory["micro2"], 1),
                          (territory["micro1"], 0), (territory["community2"], 1)):  # fmt: skip
        event = EventFactory(area=area, area_path=area.path)
        EventFactFactory(event=event, reported_on=today, handled=handled, reported=1)
    activity = VolunteerActivityFactory(post__area=territory["micro1"], area=territory["micro1"],
                                        area_path=territory["micro1"].path)  # fmt: skip
    at = timezone.now()
    SignupFactory(activity=activity, checked_in_at=at)
    SignupFactory(activity=activity, checked_in_at=at - dt.timedelta(days=400))  # not this period
    keys = [f.key for f in hooks.hub_figures()]
    assert keys[:3] == ["events_handled", "visits", "volunteers"]  # visits: the visits app
    found = selectors.figures(hubs["community"], [hubs["compound"]], period)
    own = dict(zip(keys, found.own, strict=True))
    child = dict(zip(keys, found.children[0][1], strict=True))
    assert own["events_handled"] == 2 and own["volunteers"] == 1
    assert child["events_handled"] == 1 and child["volunteers"] == 1  # micro1 only
    # Above a community the figure reads the daily sums per community (kept by stats).
    DailyRollupFactory(path=territory["community"].path, day=today, handled=2)
    DailyRollupFactory(path=territory["community2"].path, day=today, handled=1)
    DailyRollupFactory(path=territory["community2"].path, day=today - dt.timedelta(days=400))
    district = selectors.figures(hubs["district"], [hubs["street"]], period)
    assert dict(zip(keys, district.own, strict=True))["events_handled"] == 3
    # A compound without buildings covers no micro-grid: no figure, not a zero.
    bare = CompoundFactory(community=territory["community"])
    hub = ServiceHub.objects.create(
        tier="compound", name="空小区", area=territory["community"],
        area_path=territory["community"].path, compound=bare, lng=104.02, lat=30.62,
    )  # fmt: skip
    assert selectors.figures(hub, [], period).own[:2] == [None, None]


# ------------------------------------------------------------------ API


def test_the_public_api_lists_finds_and_shows_hubs(client, hubs, territory):
    page = client.get("/api/v1/hubs?limit=2").json()
    assert [h["tier"] for h in page["items"]] == ["district", "street"]
    assert page["count"] == 4 and page["next_cursor"]
    rest = client.get(f"/api/v1/hubs?limit=2&cursor={page['next_cursor']}").json()
    assert [h["tier"] for h in rest["items"]] == ["community", "compound"]
    assert rest["next_cursor"] is None
    assert client.get("/api/v1/hubs?cursor=nonsense").status_code == 400
    assert client.get("/api/v1/hubs?area=999").status_code == 404
    at = client.get(f"/api/v1/hubs/at?lng={IN_MICRO1[0]}&lat={IN_MICRO1[1]}").json()
    assert [h["tier"] for h in at["items"]] == ["district", "street", "community", "compound"]
    assert at["area"]["code"] == territory["micro1"].code
    assert client.get("/api/v1/hubs/at?lng=110&lat=30").json()["field"] == "location"
    assert client.get("/api/v1/hubs/at?lng=104").json()["field"] == "lat"
    one = client.get(f"/api/v1/hubs/{hubs['community'].pk}").json()
    assert [h["name"] for h in one["children"]] == ["誉府小区服务集装箱"]
    assert [h["tier"] for h in one["parents"]] == ["district", "street"]
    assert one["edit_url"] is None  # nothing for the staff side when signed out
    figures = client.get(f"/api/v1/hubs/{hubs['street'].pk}/figures?from=2026-01-01").json()
    assert [f["key"] for f in figures["figures"]][:3] == ["events_handled", "visits", "volunteers"]
    assert [c["id"] for c in figures["children"]] == [hubs["community"].pk]
    bad = client.get(f"/api/v1/hubs/{hubs['street'].pk}/figures?from=2026-05-01&to=2026-01-01")
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    services.update_hub(actor=_root(hubs), hub=hubs["compound"], active=False)
    assert client.get(f"/api/v1/hubs/{hubs['compound'].pk}").status_code == 404


def token_headers(client, user) -> dict:
    token = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_writes_inside_the_scope_only(client, hubs, actors, territory):
    headers = token_headers(client, actors.community)
    url = f"/api/v1/hubs/{hubs['community'].pk}"
    person = PersonFactory(area=territory["micro2"], name="赵敏")
    ok = client.patch(
        url, {"services": ["居民议事"], "duties": [{"person": person.pk, "days": ["mon", "tue"]}]},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert ok.status_code == 200, ok.content
    assert ok.json()["services"] == ["居民议事"] and ok.json()["edit_url"]
    refused = client.patch(url, {"name": None}, content_type="application/json", **headers)
    assert refused.status_code == 400 and refused.json()["field"] == "name"
    street = client.patch(f"/api/v1/hubs/{hubs['street'].pk}", {"name": "x"},
                          content_type="application/json", **headers)  # fmt: skip
    assert street.status_code == 403  # they work inside its area: a refusal
    made = client.post(
        "/api/v1/hubs", {**hub_kwargs_for_other(actors), "area": territory["community"].code,
                         "lng": IN_MICRO1[0], "lat": IN_MICRO1[1]},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert made.status_code == 400 and made.json()["field"] == "area"  # already has one
    compound = CompoundFactory(community=territory["community"], name="锦城华府")
    made = client.post(
        "/api/v1/hubs", {"tier": "compound", "compound": compound.pk, "name": "锦城华府集装箱",
                         "lng": IN_MICRO2[0], "lat": IN_MICRO2[1]},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["tier"] == "compound" and made.json()["area"]["code"] == "510113001001"
    outsider = token_headers(client, actors.other_district)
    assert client.patch(url, {"name": "x"}, content_type="application/json",
                        **outsider).status_code == 404  # fmt: skip


# ------------------------------------------------------------------ pages


def test_the_directory_finds_the_hubs_of_a_community_or_a_point(client, hubs, territory):
    page = client.get(f"/hubs/?community={territory['community'].code}").content.decode()
    assert "凤凰社区社治码头" in page and "誉府小区服务集装箱" in page
    page = client.get(f"/hubs/?lng={IN_COMMUNITY2[0]}&lat={IN_COMMUNITY2[1]}").content.decode()
    assert "东风街道社治港口" in page and "凤凰社区社治码头" not in page.split("hubs-tops")[0]
    assert client.get("/hubs/?lng=110&lat=30").status_code == 200


def test_a_hub_page_shows_figures_children_roster_and_posts(client, hubs, territory):
    person = PersonFactory(area=territory["community"], name="陈静")
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    HubDuty.objects.create(hub=hubs["community"], person=person, days=every_day, duty="值班社工")
    ServicePostFactory(area=territory["micro1"], name="誉府会客厅")
    page = client.get(f"/hubs/{hubs['community'].pk}/").content.decode()
    for text in (
        "凤凰社区社治码头",
        "誉府小区服务集装箱",
        "陈静",
        "誉府会客厅",
        'data-figure="events_handled"',
    ):
        assert text in page
    assert client.get(f"/hubs/{hubs['community'].pk}/?from=bad").status_code == 200
    assert client.get("/hubs/999999/").status_code == 404


def test_staff_edit_a_hub_on_its_page(client, hubs, actors):
    client.force_login(actors.community)
    url = f"/hubs/manage/{hubs['community'].pk}/edit/"
    assert client.get(url).status_code == 200
    assert "凤凰社区社治码头" in client.get("/hubs/manage/").content.decode()
    form = {"name": "凤凰码头", "lng": IN_MICRO1[0], "lat": IN_MICRO1[1], "active": "on",
            "hours": "mon-fri: 08:30-17:30", "duties": "not a line"}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 400
    form["duties"] = ""
    form["lng"], form["lat"] = IN_STREET2
    assert client.post(url, form).status_code == 400  # outside the community
    form["lng"], form["lat"] = IN_MICRO1
    assert client.post(url, form).status_code == 302
    hubs["community"].refresh_from_db()
    assert hubs["community"].name == "凤凰码头"
    assert client.get(f"/hubs/manage/{hubs['street'].pk}/edit/").status_code == 404
    client.force_login(actors.resident)
    assert client.get("/hubs/manage/").status_code == 404


def test_the_demo_builds_the_hierarchy_and_a_container_per_sized_compound(territory):
    """The demo step on a small district: hubs for every area, containers by size, and a
    second run adds only what is new."""
    from shezhi.demo import hubs as demo

    big = CompoundFactory(community=territory["community"], name="大小区")
    small = CompoundFactory(community=territory["community"], name="小小区")
    for compound, n in ((big, demo.COMPOUND_MIN_HOUSEHOLDS), (small, 3)):
        building = BuildingFactory(compound=compound, micro_grid=territory["micro1"],
                                   area_path=territory["micro1"].path)  # fmt: skip
        for i in range(n):
            HouseholdFactory(building=building, room=str(100 + i), micro_grid=territory["micro1"],
                             area_path=territory["micro1"].path)  # fmt: skip
    made = demo.build_demo_hubs()
    assert made == {"district": 1, "street": 2, "community": 2, "compound": 1}
    assert ServiceHub.objects.get(compound=big).tier == "compound"
    assert not ServiceHub.objects.filter(compound=small).exists()
    assert demo.build_demo_hubs() == {}
