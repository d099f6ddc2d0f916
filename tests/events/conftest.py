"""Actors and helpers for event tests.

The territory (tests/factories.build_territory): micro-grids ``micro1`` (lng
104.00–104.05, lat 30.60–30.70) and ``micro2`` (104.05–104.10) in general grid
``grid`` of community ``community`` of street ``street1`` of district 510113;
``community2`` beside it; district 510114 elsewhere.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shezhi.events import services
from shezhi.events.models import Category, Event
from shezhi.people.models import Assignment
from tests.factories import AssignmentFactory, Cast, PersonFactory

# Inside micro1.
IN_MICRO1 = (104.02, 30.62)
# Inside micro2.
IN_MICRO2 = (104.07, 30.65)
# Inside community2 (street1), outside community 001.
IN_COMMUNITY2 = (104.15, 30.7)
# Inside the other district.
IN_OTHER_DISTRICT = (104.7, 30.7)


# What the event tests call the shared cast's actors (their assertions name them).
NAMES = {
    "community": "community",
    "community2": "community2",
    "street": "street",
    "district": "district",
    "other_district": "other_admin",
}


@pytest.fixture
def actors(shared_cast, territory) -> Cast:
    """The shared cast, every actor made (notices go to whoever holds a role), and
    micro1's worker on the roster as its responsible worker."""
    a = shared_cast.rename(**NAMES)
    a.assemble("cg", "zj", "dept_zj", "mg_worker")
    micro1 = territory["micro1"]
    person = PersonFactory(
        area=micro1, name="李明", category="micro_grid_worker", force_type="part_time",
        user=a.mg_worker,
    )  # fmt: skip
    AssignmentFactory(
        person=person, role=Assignment.Role.RESPONSIBLE_WORKER, started_on="2026-01-01"
    )
    return a.assemble(
        "resident", "resident2", "mg_worker2", "grid_worker", "community", "community2",
        "street", "district", "dept_cg", "other_district", "nobody",
    )  # fmt: skip


def category(code: str = "0101") -> Category:
    """A default subcategory (0101 暴露垃圾: 4 working hours, grid can solve, 城管)."""
    return Category.objects.get(code=code)


def report(actor, *, point=IN_MICRO1, source="resident", code="0101", **kw) -> Event:
    kw.setdefault("description", "小区门口垃圾堆放两天无人清运")
    return services.report_event(
        submitted_by=actor,
        source=source,
        category=code,
        lng=point[0],
        lat=point[1],
        **kw,
    ).event


def act(actor, event: Event, action: str, **kw) -> Event:
    event.refresh_from_db()
    return services.perform(actor=actor, event=event, action=action, **kw)


def jpeg(width=400, height=300, *, gps=None, color=(200, 80, 40), name="photo.jpg"):
    """A real JPEG upload; ``gps`` = (lng, lat) writes EXIF GPS tags."""
    image = Image.new("RGB", (width, height), color)
    buf = io.BytesIO()
    exif = Image.Exif()
    if gps is not None:
        lng, lat = gps

        def dms(v):
            v = abs(v)
            d = int(v)
            m = int((v - d) * 60)
            s = round(((v - d) * 60 - m) * 60, 4)
            return (float(d), float(m), float(s))

        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: dms(lat),
            3: "E" if lng >= 0 else "W",
            4: dms(lng),
        }
        exif[0x010F] = "TestCam"  # Make
    image.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def run_to_closed(actors: Cast, event: Event) -> Event:
    """register → dispatch (micro1's worker) → accept → handle → verify by the reporter."""
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    return act(actors.resident, event, "verify_pass")
