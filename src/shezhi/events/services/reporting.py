"""Reporting an event: its category, place and source checked, then one write; a repeated
idempotency key (with the same request's fingerprint) returns the first report."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, area_rows, locate
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core import photos as photo_processing
from shezhi.core import rows
from shezhi.core.errors import BadInput, KeyReused
from shezhi.core.snapshot import Snapshot

from .. import permissions
from ..models import Category, Event, EventFollower, EventPhoto, EventTransition
from ..permissions import STAFF_SOURCES
from .steps import _delete_files, _follow_up, _publish

S = Event.State


def _load_categories() -> tuple[dict[str, Category], dict[int, Category]]:
    """Every category by code and by id, with its class loaded."""
    cats = list(Category.objects.select_related("parent"))
    return {cat.code: cat for cat in cats}, {cat.pk: cat for cat in cats}


# Read on every submission, written by an administrator now and then.
categories_snapshot = Snapshot(_load_categories, "events.categories")


def _leaf_category(category) -> Category:
    if isinstance(category, Category):
        cat = category
    else:
        by_code, by_id = categories_snapshot.get()
        text = str(category).strip()
        # A code first, as before; an id only when no code reads like it.
        # isdecimal() alone takes "¹" or "٣", which int() then refuses or reads as another id.
        is_id = text.isascii() and text.isdigit()
        cat = by_code.get(text) or (by_id.get(int(text)) if is_id else None)
    if cat is None or not cat.active or cat.parent_id is None:
        raise BadInput(
            _("Unknown event category %(category)s; choose a subcategory.")
            % {"category": category},
            field="category",
        )
    return cat


def _area_and_owner(chain) -> tuple[Area, Area]:
    """The deepest area, and the level that dispatches first (the general grid when
    there is one), in one query."""
    by_level = {a.level: a for a in chain}
    owner_id = next(
        (
            by_level[level].id
            for level in (c.GENERAL_GRID, c.COMMUNITY, c.STREET, c.DISTRICT)
            if level in by_level
        ),
        None,
    )
    if owner_id is None:
        raise BadInput(_("The point lies outside every district."), field="location")
    rows = area_rows([chain[0].id, owner_id])
    return rows[chain[0].id], rows[owner_id]


def _by_key(submitted_by, key: str) -> Event | None:
    # The exclude() repeats the partial unique index's condition, so SQLite uses it.
    return (
        Event.objects.filter(submitted_by=submitted_by, idempotency_key=key)
        .exclude(idempotency_key="")
        .first()
    )


def _check_source(submitted_by, source: str, area: Area) -> None:
    if source not in Event.Source.values:
        raise BadInput(_("Unknown source %(source)s.") % {"source": source}, field="source")
    if source == Event.Source.PATROL and not permissions.can(
        submitted_by, "report", (source, area)
    ):
        raise BadInput(_("A patrol report must lie inside your own grid."), field="location")
    if source == Event.Source.OPERATION and not permissions.can(
        submitted_by, "report", (source, area)
    ):
        raise BadInput(
            _("A need found by an operation's check must lie inside the area you work."),
            field="location",
        )
    if source in STAFF_SOURCES and not permissions.can(submitted_by, "report", (source, area)):
        raise BadInput(
            _("Only staff of the area where it happened can enter this kind of event."),
            field="source",
        )


@dataclass
class Reported:
    event: Event
    created: bool


ADDRESS_MAX = 200
CONTACT_NAME_MAX = 50


def request_fingerprint(**fields) -> str:
    """A hash of what a submission asked for, stored with its idempotency key: a retry
    must ask for the same thing, or it is another request reusing the key."""
    canonical = json.dumps(
        {k: (v.code if isinstance(v, Category) else v) for k, v in sorted(fields.items())},
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _same_request(existing: Event, fingerprint: str) -> Reported:
    # Events stored before fingerprints were kept have none: their key alone decides.
    if existing.idempotency_hash and existing.idempotency_hash != fingerprint:
        raise KeyReused(
            _(
                "This idempotency key was used for another request: send a new key with a"
                " new report."
            ),
            field="idempotency_key",
        )
    return Reported(existing, False)


def report_event(
    *,
    submitted_by,
    source: str,
    category,
    description: str,
    lng: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    address: str = "",
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    photos=(),
    idempotency_key: str = "",
    at: datetime | None = None,
    origin: dict | None = None,
) -> Reported:
    """Create an event in state ``reported``; a repeated idempotency key returns the first.

    Everything that can be refused (category, location, photos, contact) is
    checked before anything is written; photo files saved before a failure are
    deleted again. ``origin`` (e.g. ``{"visit": 12}``: found on a household visit) is
    kept with the report step's history, and the event's page shows it.
    """
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 64:
        raise BadInput(_("The idempotency key is longer than 64 characters."), field="key")
    fingerprint = ""
    if idempotency_key:
        fingerprint = request_fingerprint(
            source=source,
            category=category,
            description=(description or "").strip(),
            lng=lng,
            lat=lat,
            crs=crs,
            address=(address or "").strip(),
            anonymous=anonymous,
            contact_name=(contact_name or "").strip(),
            contact_phone=(contact_phone or "").strip(),
        )
    if idempotency_key and photos:
        # Spare a retry the photo work; without photos the unique key decides (below).
        existing = _by_key(submitted_by, idempotency_key)
        if existing is not None:
            return _same_request(existing, fingerprint)
    cat = _leaf_category(category)
    description = (description or "").strip()
    if not description:
        raise BadInput(_("Describe what is wrong."), field="description")
    if len(description) > 2000:
        raise BadInput(_("The description is longer than 2,000 characters."), field="description")
    address = (address or "").strip()
    if len(address) > ADDRESS_MAX:
        raise BadInput(
            _("The address is longer than %(limit)s characters.") % {"limit": ADDRESS_MAX},
            field="address",
        )
    contact_name = (contact_name or "").strip()
    if len(contact_name) > CONTACT_NAME_MAX:
        raise BadInput(
            _("The contact name is longer than %(limit)s characters.")
            % {"limit": CONTACT_NAME_MAX},
            field="contact_name",
        )
    if anonymous and not cat.allows_anonymous:
        raise BadInput(
            _("Reports of %(category)s cannot be anonymous.") % {"category": cat.name},
            field="anonymous",
        )
    processed = photo_processing.process_photos(photos)
    if lng is None or lat is None:
        located = next((p for p in processed if p.lng is not None), None)
        if located is None:
            raise BadInput(
                _("Give the location: a point on the map or a photo with its location."),
                field="location",
            )
        lng, lat, crs = located.lng, located.lat, "wgs84"
    try:
        (wlng, wlat), chain = locate(float(lng), float(lat), crs)
    except (OutsideAllDistricts, InvalidCoordinates) as exc:
        raise BadInput(str(exc), field="location") from None
    except (TypeError, ValueError):
        raise BadInput(_("The coordinates are not numbers."), field="location") from None
    area, owner = _area_and_owner(chain)
    _check_source(submitted_by, source, area)
    contact_phone = (contact_phone or "").strip()
    if contact_phone:
        try:
            pd.validate_phone(contact_phone)
        except ValidationError as exc:
            raise BadInput(" ".join(exc.messages), field="contact_phone") from None
    now = at or timezone.now()
    reporter = None if source in STAFF_SOURCES else submitted_by

    saved_files: list[str] = []
    try:
        with transaction.atomic():
            event = Event(
                category=cat,
                source=source,
                description=description,
                address=address,
                lng=wlng,
                lat=wlat,
                area=area,
                area_path=area.path,
                owner_area=owner,
                owner_path=owner.path,
                submitted_by=submitted_by,
                reporter=reporter,
                anonymous=anonymous,
                contact_name=contact_name,
                contact_phone=pd.normalise("phone", contact_phone) if contact_phone else "",
                contact_phone_index=pd.blind_index("phone", contact_phone) if contact_phone else "",
                contact_phone_last4=pd.last4("phone", contact_phone) if contact_phone else "",
                idempotency_key=idempotency_key,
                idempotency_hash=fingerprint,
                created_at=now,
            )
            # rows.insert: the hottest write; its SQL is built once, not per report.
            rows.insert(event)
            transition = rows.insert(
                EventTransition(
                    event=event,
                    action="report",
                    from_state="",
                    to_state=S.REPORTED,
                    actor=submitted_by,
                    at=now,
                    data={**(origin or {}), "source": source},
                )
            )
            if reporter is not None:
                rows.insert(
                    EventFollower(event=event, user=reporter, kind=EventFollower.Kind.REPORTER)
                )
            for p in processed:
                photo = EventPhoto(
                    event=event,
                    transition=transition,
                    stage=EventPhoto.Stage.REPORT,
                    taken_lng=p.lng,
                    taken_lat=p.lat,
                )
                photo.image.save(p.content.name, p.content, save=False)
                saved_files.append(photo.image.name)
                photo.save()
            _follow_up(reported=True)
            _publish(event, "report", transition, submitted_by, ())
    except IntegrityError:
        _delete_files(saved_files)
        if idempotency_key:
            # A retry (or a retry racing the first submission): the first one stands.
            existing = _by_key(submitted_by, idempotency_key)
            if existing is not None:
                return _same_request(existing, fingerprint)
        raise
    except BaseException:
        _delete_files(saved_files)
        raise
    return Reported(event, True)
