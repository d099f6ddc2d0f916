"""Actors, posts and activities for the volunteering tests.

The territory (tests/factories.build_territory): micro-grid ``micro1`` of community
``community`` (street1, district 510113), ``community2`` beside it, and another
district 510114. ``post`` sits in micro1, ``post2`` in community2, ``far_post`` in
the other district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from shezhi.places.models import ServicePost
from shezhi.volunteering import services
from shezhi.volunteering.models import VolunteerActivity
from tests.factories import make_user

# A fixed "now" for service tests: a weekday morning in Chengdu.
NOW = timezone.make_aware(dt.datetime(2026, 5, 11, 8, 0))


@dataclass
class Actors:
    resident: object
    resident2: object
    responsible: object  # the responsible person of ``post`` (a micro-grid worker)
    mg_worker: object  # a micro-grid worker of micro1 (not responsible: not a manager)
    community: object
    community2: object
    street: object
    district: object
    other_district: object
    nobody: object


@dataclass
class Posts:
    post: ServicePost
    post2: ServicePost
    far_post: ServicePost


@pytest.fixture
def actors(territory) -> Actors:
    return Actors(
        resident=make_user("resident", role="resident", area=territory["micro1"],
                           first_name="小明", last_name="王"),
        resident2=make_user("resident2", role="resident", area=territory["micro2"]),
        responsible=make_user("post_keeper", role="micro_grid_worker", area=territory["micro1"]),
        mg_worker=make_user("mg_worker", role="micro_grid_worker", area=territory["micro1"]),
        community=make_user("community", role="community_staff", area=territory["community"]),
        community2=make_user("community2", role="community_staff", area=territory["community2"]),
        street=make_user("street", role="street_staff", area=territory["street1"]),
        district=make_user("district", role="district_admin", area=territory["district"]),
        other_district=make_user(
            "other_admin", role="district_admin", area=territory["other_district"]
        ),
        nobody=make_user("nobody"),
    )  # fmt: skip


def make_post(area, name: str, lng: float, lat: float, **kw) -> ServicePost:
    kw.setdefault("type", ServicePost.Type.VOLUNTEER)
    return ServicePost.objects.create(
        name=name, area=area, area_path=area.path, lng=lng, lat=lat, **kw
    )


@pytest.fixture
def posts(territory, actors) -> Posts:
    return Posts(
        post=make_post(territory["micro1"], "誉府会客厅", 104.02, 30.62,
                       responsible=actors.responsible, phone="028-83600000"),
        post2=make_post(territory["community2"], "同心村服务站", 104.15, 30.7),
        far_post=make_post(territory["other_district"], "邻区服务站", 104.7, 30.7),
    )  # fmt: skip


def publish(actor, post, *, now=NOW, start_in=dt.timedelta(days=1), hours=3, slots=5, **kw):
    starts = now + start_in
    return services.publish_activity(
        actor=actor,
        post=post,
        title=kw.pop("title", "社区环境清洁"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        slots=slots,
        now=now,
        **kw,
    )


def place(post, *, starts_at, hours=3, slots=5, title="社区环境清洁", status="published"):
    """An activity written straight to the table (any time, past included)."""
    return VolunteerActivity.objects.create(
        post=post,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        slots=slots,
        status=status,
        area_id=post.area_id,
        area_path=post.area_path,
    )


@pytest.fixture
def activity(posts, actors):
    return publish(actors.community, posts.post)
