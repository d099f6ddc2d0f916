"""当场处置 (on-the-spot handling): 小事不出网格 in one step.

A grid worker (micro-grid or full-time) who found a small routine matter on
patrol and fixed it there and then reports it with before- and after-photos and
what was done, and it closes at once. The history is the full one, each step
through ``services.perform`` and its transition table: report → register →
dispatch to themselves → accept → handle (``on_spot``) → ``close_on_spot``.
So the KPIs read it as what it is: registered, dispatched to a micro-grid worker
only (solved inside the micro-grid), handled within the deadline the working
calendar gave at dispatch (on time), closed; and the piece-rate points are the
normal path's (registration, and closing on time, by ``incentives.event_points``).

A share of these handlings (``services.spot_check_share``, drawn per event by
``services.drawn_for_spot_check``) is not closed at once: it waits, handled, in
the community's verification queue, its staff are told, and only they verify it
(a failed spot check is rework, as on the normal path).

Who: a grid worker, inside their own grid only; categories flagged
``allows_spot_handling`` only (small routine matters, nothing needing a
department). Anything refused is refused before anything is written, with the
field it is about.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, locate
from shezhi.areas.models import Area
from shezhi.core import photos as photo_processing
from shezhi.core.errors import BadInput, Forbidden, KeyReused
from shezhi.core.notices import Notice, publish_notices

from . import permissions, services
from .models import Event, EventPhoto, EventTransition
from .services import reporting, steps

RESULT_MAX = 4000


def may_handle_on_spot(user) -> bool:
    """Whether ``user`` is a grid worker somewhere (the page and the API's first gate)."""
    return permissions.can(user, "spot_handle")


def spot_categories():
    """The active subcategories a grid worker may handle on the spot."""
    from .selectors import categories

    return categories().filter(parent__isnull=False, allows_spot_handling=True)


def _processed(uploads, field: str):
    try:
        return photo_processing.process_photos(uploads)
    except BadInput as exc:
        raise BadInput(exc.message, field=field) from None


def _is_spot_event(event: Event) -> bool:
    return EventTransition.objects.filter(event=event, action="handle", data__on_spot=True).exists()


def handle_on_spot(
    *,
    actor,
    category,
    description: str,
    result: str,
    after_photos,
    before_photos=(),
    lng: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    address: str = "",
    idempotency_key: str = "",
    at: datetime | None = None,
) -> services.Reported:
    """Report, register, dispatch to oneself, accept, handle and (unless drawn for a spot
    check) close, in one transaction; a repeated idempotency key returns the first event.

    Raises ``Forbidden`` for a user who is no grid worker, ``BadInput`` naming the field
    for a category that does not allow it (``category``), no result (``result``), no
    after-photo or a bad photo (``after_photos`` / ``before_photos``), a point outside the
    worker's own grid (``location``) and whatever ``report_event`` refuses.
    """
    if not may_handle_on_spot(actor):
        raise Forbidden(_("Only grid workers handle events on the spot."))
    key = (idempotency_key or "").strip()
    cat = reporting._leaf_category(category)
    if key and len(key) <= 64:
        existing = reporting._by_key(actor, key)
        if existing is not None:
            if not _is_spot_event(existing):
                raise KeyReused(
                    _("This idempotency key was already used for another submission."),
                    field="idempotency_key",
                )
            # The same check report_event makes: a retry asks for the same thing.
            fingerprint = services.request_fingerprint(
                source=Event.Source.PATROL,
                category=cat,
                description=(description or "").strip(),
                lng=lng,
                lat=lat,
                crs=crs,
                address=(address or "").strip(),
                anonymous=False,
                contact_name="",
                contact_phone="",
            )
            return reporting._same_request(existing, fingerprint)
    if not cat.allows_spot_handling:
        raise BadInput(
            _("%(category)s cannot be handled on the spot: send it as a patrol report.")
            % {"category": cat.name},
            field="category",
        )
    result = (result or "").strip()
    if not result:
        raise BadInput(_("Describe what you did on the spot."), field="result")
    if len(result) > RESULT_MAX:
        raise BadInput(_("The result is longer than 4,000 characters."), field="result")
    after_photos = list(after_photos or [])
    if not after_photos:
        raise BadInput(_("Add at least one photo taken after the handling."), field="after_photos")
    if lng is not None and lat is not None:
        _check_own_grid(actor, lng, lat, crs)
    # Photos are checked (and resized) before anything is written.
    after = _processed(after_photos, "after_photos")
    before = _processed(list(before_photos or []), "before_photos")
    now = at or timezone.now()

    report_files: list[str] = []
    try:
        with transaction.atomic():
            reported = services.report_event(
                submitted_by=actor,
                source=Event.Source.PATROL,
                category=cat,
                description=description,
                lng=lng,
                lat=lat,
                crs=crs,
                address=address,
                photos=before,
                idempotency_key=key,
                at=now,
            )
            if not reported.created:  # a retry racing the first submission
                return reported
            event = reported.event
            try:
                event = _steps(actor, event, result, after, now)
            except BaseException:
                with contextlib.suppress(Exception):
                    report_files = list(
                        EventPhoto.objects.filter(event_id=event.pk).values_list("image", flat=True)
                    )
                raise
    except BaseException:
        steps._delete_files(report_files)
        raise
    return services.Reported(event, True)


def _outside_grid() -> BadInput:
    return BadInput(
        _("On-the-spot handling is for your own grid only: the point lies outside it."),
        field="location",
    )


def _check_own_grid(actor, lng, lat, crs: str) -> None:
    """A point given outright is checked before any photo work; one read from a photo's
    location is checked once the report has located it (``_steps``)."""
    try:
        _point, chain = locate(float(lng), float(lat), crs)
    except (OutsideAllDistricts, InvalidCoordinates, TypeError, ValueError):
        return  # report_event says what is wrong with it
    area = Area.objects.only("path").get(pk=chain[0].id)
    if not permissions.can(actor, "spot_handle", area):
        raise _outside_grid()


def _steps(actor, event: Event, result: str, after, now) -> Event:
    if not permissions.can(actor, "spot_handle", event.area):
        raise _outside_grid()
    step = {"actor": actor, "at": now}
    event = services.perform(event=event, action="register", **step)
    event = services.perform(
        event=event,
        action="dispatch",
        data={"target": Event.HandlerKind.WORKER, "worker": actor.pk},
        **step,
    )
    event = services.perform(event=event, action="accept", **step)
    event = services.perform(
        event=event, action="handle", data={"result": result}, photos=after, on_spot=True, **step
    )
    if event.spot_check:
        _announce_spot_check(event, actor)
        return event
    return services.perform(event=event, action="close_on_spot", **step)


def _announce_spot_check(event: Event, actor) -> None:
    """Tell the community's staff that an on-the-spot handling waits for their check."""
    ids = set(services.community_staff_users(event)) - {actor.pk}
    if not ids:
        return
    with override(settings.LANGUAGE_CODE):
        title = _("Spot check: event %(number)s (%(category)s) was handled on the spot") % {
            "number": event.number,
            "category": event.category.name,
        }
    publish_notices(
        [
            Notice(
                recipients=ids,
                kind="event.spot_check",
                title=title,
                body=event.result[:200],
                url=f"/events/{event.pk}/",
                subject_model=Event,
                subject_id=event.pk,
            )
        ]
    )
