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
from tests.factories import Cast

# A fixed "now" for service tests: a weekday morning in Chengdu.
NOW = timezone.make_aware(dt.datetime(2026, 5, 11, 8, 0))


@dataclass
class Posts:
    post: ServicePost
    post2: ServicePost
    far_post: ServicePost


# What the volunteering tests call the shared cast's actors (their assertions name them).
NAMES = {
    "community": "community",
    "community2": "community2",
    "street": "street",
    "district": "district",
    "other_district": "other_admin",
}


@pytest.fixture
def actors(shared_cast) -> Cast:
    """The shared cast: ``responsible`` keeps ``post``; ``mg_worker``, another worker of
    micro1, manages nothing."""
    c = shared_cast.rename(**NAMES).dress("resident", first_name="小明", last_name="王")
    return c.assemble(
        "resident", "resident2", "responsible", "mg_worker", "community", "community2",
        "street", "district", "other_district", "nobody",
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
