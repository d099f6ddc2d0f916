"""Reporting an event: checks before writing, photos, idempotency."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection
from PIL import Image

from shezhi.core.errors import BadInput
from shezhi.events import services
from shezhi.events.models import Event, EventPhoto, EventTransition
from tests.events.conftest import IN_MICRO1, IN_OTHER_DISTRICT, jpeg, report

pytestmark = pytest.mark.django_db


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def counts():
    return Event.objects.count(), EventTransition.objects.count(), EventPhoto.objects.count()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "9999"}, "category"),
        ({"code": "01"}, "category"),  # a class, not a subcategory
        ({"point": IN_OTHER_DISTRICT, "source": "patrol"}, "location"),
        ({"point": (10.0, 10.0)}, "location"),  # outside every district
        ({"point": (200.0, 30.0)}, "location"),
        ({"description": "   "}, "description"),
        ({"code": "1101", "anonymous": True}, "anonymous"),  # disputes: never anonymous
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"source": "hotline"}, "source"),  # a resident cannot enter hotline calls
        ({"source": "carrier-pigeon"}, "source"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(actors, settings, kwargs, field):
    before = counts()
    with pytest.raises(BadInput) as err:
        report(actors.resident, **kwargs)
    assert err.value.field == field
    assert err.value.message
    assert counts() == before
    assert media_files(settings) == []


def test_a_bad_photo_leaves_no_half_made_event(actors, settings):
    settings.SHEZHI_MAX_PHOTO_BYTES = 50_000
    noise = Image.effect_noise((900, 900), 120).convert("RGB")
    buf = io.BytesIO()
    noise.save(buf, format="JPEG", quality=95)
    from django.core.files.uploadedfile import SimpleUploadedFile

    oversized = SimpleUploadedFile("big.jpg", buf.getvalue(), content_type="image/jpeg")
    text = SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg")
    before = counts()
    for bad in (oversized, text):
        with pytest.raises(BadInput) as err:
            report(actors.resident, photos=[jpeg(), bad])
        assert err.value.field == "photos"
    assert counts() == before
    assert media_files(settings) == []


def test_photos_are_resized_stripped_and_located(actors, settings):
    upload = jpeg(4000, 3000, gps=(104.02, 30.62))
    event = services.report_event(
        submitted_by=actors.resident,
        source="resident",
        category="0101",
        description="垃圾",
        photos=[upload],
    ).event
    # No point given: the photo's EXIF location placed it.
    assert event.area.code == "510113001001001001"
    assert abs(event.lng - 104.02) < 1e-4 and abs(event.lat - 30.62) < 1e-4
    photo = event.photos.get()
    assert abs(photo.taken_lng - 104.02) < 1e-4
    with photo.image.open() as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert max(stored.size) == 1600
        assert not stored.getexif()  # location and camera tags are gone
    assert len(media_files(settings)) == 1


def test_no_point_and_no_photo_location_is_an_error(actors):
    with pytest.raises(BadInput) as err:
        services.report_event(
            submitted_by=actors.resident,
            source="resident",
            category="0101",
            description="垃圾",
            photos=[jpeg()],
        )
    assert err.value.field == "location"


def test_other_coordinate_systems_are_accepted(actors):
    from shezhi.areas.geo.crs import wgs84_to_gcj02

    glng, glat = (float(v) for v in wgs84_to_gcj02(*IN_MICRO1))
    event = report(actors.resident, point=(glng, glat), crs="gcj02")
    assert abs(event.lng - IN_MICRO1[0]) < 1e-6 and abs(event.lat - IN_MICRO1[1]) < 1e-6


def test_contact_phone_is_encrypted_at_rest(actors):
    event = report(actors.community, source="hotline", contact_name="王女士",
                   contact_phone="13812345678")  # fmt: skip
    assert event.reporter is None and event.contact_phone_last4 == "5678"
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone, contact_name FROM events_event WHERE id = %s",
                    [event.pk])  # fmt: skip
        raw_phone, raw_name = cur.fetchone()
    assert "13812345678" not in raw_phone and "王女士" not in raw_name
    assert Event.objects.get(pk=event.pk).contact_phone == "13812345678"


def test_a_retried_submission_returns_the_first(actors):
    first = services.report_event(
        submitted_by=actors.resident, source="resident", category="0101", description="垃圾",
        lng=IN_MICRO1[0], lat=IN_MICRO1[1], idempotency_key="k-1",
    )  # fmt: skip
    again = services.report_event(
        submitted_by=actors.resident, source="resident", category="0101", description="垃圾",
        lng=IN_MICRO1[0], lat=IN_MICRO1[1], idempotency_key="k-1",
    )  # fmt: skip
    assert first.created and not again.created
    assert again.event.pk == first.event.pk
    # The same key from somebody else is their own submission.
    other = report(actors.resident2, idempotency_key="k-1")
    assert other.pk != first.event.pk
    assert Event.objects.count() == 2


def test_patrol_reports_stay_inside_the_workers_grid(actors):
    from tests.events.conftest import IN_COMMUNITY2

    with pytest.raises(BadInput):
        report(actors.mg_worker, source="patrol", point=IN_COMMUNITY2)
    assert report(actors.mg_worker, source="patrol").source == "patrol"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_with_one_key_make_one_event(actors):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            r = services.report_event(
                submitted_by=actors.resident, source="resident", category="0101",
                description="垃圾", lng=IN_MICRO1[0], lat=IN_MICRO1[1], idempotency_key="same",
            )  # fmt: skip
            results.append(r.event.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Event.objects.filter(idempotency_key="same").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_conflicting_transitions_at_once_exactly_one_wins(actors):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    from shezhi.core.errors import Conflict

    event = report(actors.resident)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(actor, action, kw):
        from django.db import connections

        try:
            mine = Event.objects.get(pk=event.pk)
            barrier.wait()
            services.perform(actor=actor, event=mine, action=action, **kw)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(actors.community, "register", {})),
        threading.Thread(
            target=attempt, args=(actors.street, "void", {"reason": "无效", "data": {}})
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    event.refresh_from_db()
    assert event.version == 1
    assert EventTransition.objects.filter(event=event).count() == 2
