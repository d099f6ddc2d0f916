"""Recording a visit: what is written, and what bad input gets (400 naming the field,
nothing written)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from shezhi.core.errors import BadInput, Forbidden
from shezhi.visits import hooks, services
from shezhi.visits.models import TagProposal, Visit, VisitPhoto

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> io.BytesIO:
    image = Image.new("RGB", (3000, 2000), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    out.seek(0)
    out.name = "p.jpg"
    return out


def test_a_visit_is_recorded_whole(place, residents, shared_cast):
    head, spouse = residents
    done = services.record_visit(
        actor=shared_cast.mg_worker,
        household=place.h101,
        met=[head.pk, spouse.pk],
        other_person="护工王阿姨",
        items=["gas", "medical"],
        notes="燃气软管老化",
        tag_proposals=[{"resident": spouse.pk, "tag": "lives_alone"}],
        photos=[_jpeg_with_gps()],
    )
    v = Visit.objects.get(pk=done.visit.pk)
    assert done.created
    assert v.area == place.h101.micro_grid and v.area_path == place.h101.area_path
    assert (v.lng, v.lat) == (place.b1.lng, place.b1.lat)
    assert sorted(v.met.values_list("pk", flat=True)) == [head.pk, spouse.pk]
    assert [i.code for i in v.hazards] == ["gas"] and [i.code for i in v.needs] == ["medical"]
    assert v.notes == "燃气软管老化" and v.other_person == "护工王阿姨"
    assert TagProposal.objects.get(visit=v).tag == "lives_alone"
    photo = VisitPhoto.objects.get(visit=v)
    stored = Image.open(photo.image.path)
    assert max(stored.size) <= 1600 and not stored.getexif()  # resized, EXIF stripped


def test_notes_and_other_person_are_encrypted_at_rest(place, residents, shared_cast):
    from django.db import connection

    services.record_visit(
        actor=shared_cast.mg_worker, household=place.h101, other_person="护工王阿姨",
        notes="独居，行动不便",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes, other_person FROM visits_visit")
        notes, other = cursor.fetchone()
    assert "独居" not in notes and "王阿姨" not in other


def test_a_retry_with_the_same_key_records_once(place, shared_cast):
    first = services.record_visit(
        actor=shared_cast.mg_worker, household=place.h101, outcome="nobody_home",
        idempotency_key="k1",
    )  # fmt: skip
    again = services.record_visit(
        actor=shared_cast.mg_worker, household=place.h101, outcome="nobody_home",
        idempotency_key="k1",
    )  # fmt: skip
    assert not again.created and again.visit.pk == first.visit.pk
    assert Visit.objects.count() == 1


def test_needs_are_published_for_the_participation_module(place, residents, shared_cast):
    heard = []
    listener = hooks.on_need_found(heard.append)
    try:
        services.record_visit(
            actor=shared_cast.mg_worker, household=place.h101, met=[residents[0].pk],
            items=["medical", "gas", "legal"],
        )  # fmt: skip
    finally:
        hooks._needs.remove(listener)
    assert [n.need for n in heard] == ["medical", "legal"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"at": "future"}, "at"),
        ({"at": "old"}, "at"),
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "met"}, "met"),  # met, but nobody named
        ({"outcome": "nobody_home", "other_person": "x"}, "met"),
        ({"outcome": "met", "met": ["other-household"]}, "met"),
        ({"outcome": "met", "met": ["x"]}, "met"),
        ({"items": ["no_such_item"]}, "items"),
        ({"tag_proposals": [{"resident": "head", "tag": "disability"}]}, "tags"),
        ({"tag_proposals": [{"resident": "other-household", "tag": "veteran"}]}, "tags"),
        ({"notes": "长" * 2001}, "notes"),
        ({"other_person": "长" * 101, "outcome": "met"}, "other_person"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
        ({"photos": [io.BytesIO(b"not an image")]}, "photos"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(place, residents, shared_cast, kwargs, field):
    from tests.factories import ResidentFactory

    stranger = ResidentFactory(household=place.h102)
    ids = {"head": residents[0].pk, "other-household": stranger.pk}
    now = timezone.now()
    kwargs = dict(kwargs)
    if kwargs.get("at") == "future":
        kwargs["at"] = now + dt.timedelta(hours=1)
    elif kwargs.get("at") == "old":
        kwargs["at"] = now - dt.timedelta(days=8)
    if "met" in kwargs:
        kwargs["met"] = [ids.get(m, m) for m in kwargs["met"]]
    for p in kwargs.get("tag_proposals", []):
        p["resident"] = ids[p["resident"]]
    kwargs.setdefault("outcome", "nobody_home")
    with pytest.raises(BadInput) as refused:
        services.record_visit(actor=shared_cast.mg_worker, household=place.h101, **kwargs)
    assert refused.value.field == field
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_only_those_who_work_the_area_record(place, shared_cast):
    for outsider in (shared_cast.mg_worker2, shared_cast.dept_cg, shared_cast.resident,
                     shared_cast.alliance, shared_cast.other_street):  # fmt: skip
        with pytest.raises(Forbidden):
            services.record_visit(actor=outsider, household=place.h101, outcome="nobody_home")
    assert not Visit.objects.exists()
