"""Writing service posts: located, checked, scoped, audited; bad input writes nothing."""

from __future__ import annotations

import os

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import translation

from shezhi.areas.geo.crs import from_wgs84
from shezhi.core.errors import BadInput, Forbidden
from shezhi.places import services
from shezhi.places.models import ServicePost, ServicePostPhoto
from tests.events.conftest import jpeg
from tests.places.conftest import (
    IN_COMMUNITY2,
    IN_MICRO1,
    IN_MICRO2,
    IN_OTHER_DISTRICT,
    IN_STREET2,
    OFFICE,
    OUTSIDE_EVERYTHING,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def create(actor, point=IN_MICRO1, **fields):
    fields.setdefault("name", "誉府会客厅")
    fields.setdefault("type", "living_room")
    return services.create_post(actor=actor, lng=point[0], lat=point[1], **fields)


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


def test_community_staff_registers_a_post_located_to_its_micro_grid(actors, territory):
    post = create(
        actors.community,
        address="凤凰大道1号",
        opening_hours={"mon": [["14:00", "17:30"], ["08:30", "12:00"]]},
        services=[" 代收快递 ", "邻里议事", "代收快递", ""],
        responsible="grid_worker",
        phone="028-83931234",
    )
    post.refresh_from_db()
    assert post.area == territory["micro1"]
    assert post.area_path == territory["micro1"].path
    assert (post.lng, post.lat) == pytest.approx(IN_MICRO1)
    assert post.opening_hours == {"mon": [["08:30", "12:00"], ["14:00", "17:30"]]}
    assert post.services == ["代收快递", "邻里议事"]
    assert post.responsible == actors.grid_worker
    assert post.active

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ServicePost), object_id=post.pk
    )
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == actors.community


def test_a_dedicated_micro_grid_wins_and_other_crs_are_converted(actors, territory):
    lng, lat = from_wgs84(104.05, 30.655, "gcj02")
    post = create(actors.street, (float(lng), float(lat)), crs="gcj02")
    assert post.area == territory["school"]
    assert (post.lng, post.lat) == pytest.approx((104.05, 30.655), abs=1e-6)


@pytest.mark.parametrize(
    ("point", "field", "words"),
    [
        (OUTSIDE_EVERYTHING, "location", "outside every district"),
        (IN_COMMUNITY2, "location", "outside the areas where you manage"),
        (IN_OTHER_DISTRICT, "location", "outside the areas where you manage"),
        ((200.0, 30.0), "location", "out of range"),
        ((None, None), "location", "Give the post's location"),
    ],
)
def test_a_point_outside_is_refused_with_nothing_written(actors, point, field, words):
    with pytest.raises(BadInput) as info:
        create(actors.community, point)
    assert info.value.field == field
    assert words in info.value.message
    assert not ServicePost.objects.exists()
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ServicePost)
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"opening_hours": {"tue": [["12:00", "09:00"]]}}, "opening_hours", "Tuesday"),
        (
            {"opening_hours": {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}},
            "opening_hours",
            "overlap",
        ),
        ({"name": "  "}, "name", "name"),
        ({"type": "pub"}, "type", "Unknown type pub"),
        ({"services": ["x" * 31]}, "services", "longer than 30"),
        ({"services": "代收快递"}, "services", "list"),
        ({"phone": "call me"}, "phone", "not a phone number"),
        ({"responsible": "ghost"}, "responsible", "no user ghost"),
        ({"responsible": "other_street"}, "responsible", "holds no role"),
        ({"responsible": "nobody"}, "responsible", "holds no role"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(actors, settings, fields, field, words):
    with pytest.raises(BadInput) as info:
        create(actors.community, photos=[jpeg()], **fields)
    assert info.value.field == field
    assert words in info.value.message
    assert not ServicePost.objects.exists()
    assert not ServicePostPhoto.objects.exists()
    assert media_files(settings) == []


def test_who_may_register(actors):
    for user in (actors.grid_worker, actors.resident, actors.nobody):
        with pytest.raises(Forbidden):
            create(user)
    assert create(actors.district).area.code.startswith("510113")
    assert create(actors.root, IN_STREET2, name="西湖会客厅")
    assert ServicePost.objects.count() == 2


def test_the_same_name_twice_in_one_micro_grid_is_refused(actors):
    create(actors.community)
    with pytest.raises(BadInput) as info:
        create(actors.community, (104.03, 30.63))
    assert info.value.field == "name"
    assert create(actors.community, IN_MICRO2).name == "誉府会客厅"  # another micro-grid


def test_photos_are_processed_and_a_bad_one_leaves_no_file(actors, settings):
    post = create(actors.community, photos=[jpeg(2400, 1800, gps=IN_MICRO1)])
    photo = post.photos.get()
    from PIL import Image

    with photo.image.open("rb") as fh:
        image = Image.open(fh)
        assert max(image.size) == 1600
        assert not image.getexif().get_ifd(0x8825)
    before = media_files(settings)
    bad = jpeg()
    bad.name = "notes.txt"
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(BadInput) as info:
        create(
            actors.community,
            IN_MICRO2,
            name="另一个",
            photos=[jpeg(), SimpleUploadedFile("notes.txt", b"hello")],
        )
    assert info.value.field == "photos"
    assert ServicePost.objects.count() == 1
    assert media_files(settings) == before


def test_update_changes_only_what_is_given_and_is_audited(actors, territory, make_post):
    post = make_post(actor=actors.community, services=["代收快递"], phone="028-1")
    post = services.update_post(
        actor=actors.street, post=post, opening_hours={"sat": [["09:00", "12:00"]]}
    )
    post.refresh_from_db()
    assert post.opening_hours == {"sat": [["09:00", "12:00"]]}
    assert post.services == ["代收快递"] and post.phone == "028-1"
    moved = services.update_post(actor=actors.street, post=post, lng=IN_MICRO2[0], lat=IN_MICRO2[1])
    assert moved.area == territory["micro2"] and moved.area_path == territory["micro2"].path
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ServicePost), object_id=post.pk
    ).order_by("pk")
    assert [e.action for e in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
    ]
    assert entries.last().actor == actors.street
    assert "area_path" in entries.last().changes_dict


def test_update_scope_404_outside_refusal_inside(actors, make_post):
    post = make_post()
    for outsider in (actors.other_street, actors.other_district, actors.community2, actors.nobody):
        with pytest.raises(Http404):
            services.update_post(actor=outsider, post=post, name="x")
    for insider in (actors.grid_worker, actors.resident):
        with pytest.raises(Forbidden):
            services.update_post(actor=insider, post=post, name="x")
    post.refresh_from_db()
    assert post.name.startswith("测试微阵地")


def test_a_move_outside_the_actors_areas_is_refused(actors, make_post):
    post = make_post(actor=actors.community)
    with pytest.raises(BadInput) as info:
        services.update_post(
            actor=actors.community, post=post, lng=IN_COMMUNITY2[0], lat=IN_COMMUNITY2[1]
        )
    assert info.value.field == "location"
    post.refresh_from_db()
    assert post.area.code == "510113001001001001"


def test_a_responsible_person_must_still_hold_a_role_where_the_post_moves(actors, make_post):
    post = make_post(responsible="community_staff")
    with pytest.raises(BadInput) as info:
        services.update_post(
            actor=actors.street, post=post, lng=IN_COMMUNITY2[0], lat=IN_COMMUNITY2[1]
        )
    assert info.value.field == "responsible"
    moved = services.update_post(
        actor=actors.street,
        post=post,
        lng=IN_COMMUNITY2[0],
        lat=IN_COMMUNITY2[1],
        responsible="community2_staff",
    )
    assert moved.responsible == actors.community2


def test_deactivate_and_reactivate(actors, make_post):
    post = make_post()
    assert not services.deactivate_post(actor=actors.community, post=post).active
    assert services.reactivate_post(actor=actors.community, post=post).active
    with pytest.raises(Http404):
        services.deactivate_post(actor=actors.other_street, post=post)


def test_photos_added_and_removed(actors, make_post, settings, django_capture_on_commit_callbacks):
    post = make_post(photos=[jpeg(), jpeg()])
    first, second = post.photos.all()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_post(
            actor=actors.community, post=post, remove_photos=[first.pk], photos=[jpeg()]
        )
    assert post.photos.count() == 2
    assert not first.image.storage.exists(first.image.name)
    other = make_post(IN_MICRO2)
    with pytest.raises(BadInput):
        services.update_post(actor=actors.community, post=other, remove_photos=[second.pk])
    settings.SHEZHI_MAX_PHOTOS = 2
    with pytest.raises(BadInput) as info:
        services.update_post(actor=actors.community, post=post, photos=[jpeg()])
    assert "at most 2" in info.value.message
    assert post.photos.count() == 2


def test_office_hours_helper_fixture_is_valid():
    assert services.clean_hours(OFFICE) == OFFICE
