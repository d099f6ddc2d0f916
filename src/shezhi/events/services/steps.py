"""The one function that moves an event on.

``perform`` is the only code that changes an event's state. It checks the
action against the table in ``workflow.py``, the actor's part in the event
(``permissions``), the version the actor saw (optimistic concurrency), then
applies the action's effect (``effects``) and writes the new state, an
``EventTransition`` and its photos, and publishes the step (``hooks``), in one
transaction.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import photos as photo_processing
from shezhi.core import prepared, rows, sweeps
from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed

from .. import hooks, permissions
from ..models import Event, EventPhoto, EventTransition
from ..workflow import ACTIONS
from . import effects
from .clock import in_emergency


def perform(
    *,
    actor,
    event: Event,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    data: dict | None = None,
    photos=(),
    at: datetime | None = None,
    on_spot: bool = False,
) -> Event:
    """Perform one action of the transition table on ``event`` as ``actor``.

    ``expected_version`` is the version the actor saw (default: the one ``event``
    was loaded with); if somebody acted in between, ``Conflict``. ``on_spot``
    (a "handle" only, set by ``spot.handle_on_spot``, never from a request): the
    handling was the worker's own on-the-spot fix, with after-photos. Raises
    ``BadInput``, ``NotAllowed`` (not from this state), ``Forbidden`` (not for
    this actor). Visibility (404) is the caller's job: load the event through
    ``selectors.get_event``.
    """
    data = dict(data or {})
    spec = ACTIONS.get(action)
    if spec is None:
        raise BadInput(_("Unknown action %(action)s.") % {"action": action}, field="action")
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        raise BadInput(_("Give a reason."), field="reason")
    if len(reason) > 2000:
        raise BadInput(_("The reason is longer than 2,000 characters."), field="reason")
    if on_spot and (action != "handle" or not photos):
        raise BadInput(
            _("An on-the-spot handling reports its result with a photo."), field="after_photos"
        )
    seen_version = event.version if expected_version is None else expected_version
    processed = photo_processing.process_photos(photos) if photos else []
    now = at or timezone.now()

    saved_files: list[str] = []
    try:
        with transaction.atomic():
            # Compiled once (``core.prepared``): compiling it cost more than running it.
            current = prepared.get_one("events.perform.current", _current, event.pk)
            if current.version != seen_version:
                raise Conflict(
                    _(
                        "Somebody acted on event %(number)s first (it is now “%(state)s”);"
                        " reload it and try again."
                    )
                    % {"number": current.number, "state": current.get_state_display()}
                )
            if current.state not in spec.sources:
                raise NotAllowed(
                    _("“%(action)s” is not possible while the event is “%(state)s”.")
                    % {"action": spec.label, "state": current.get_state_display()}
                )
            mine = permissions.parties(actor, current)
            if not mine & set(spec.parties):
                raise Forbidden(_("You cannot “%(action)s” this event.") % {"action": spec.label})
            refusal = permissions.refusal(actor, current, action, mine, now)
            if refusal:
                raise NotAllowed(refusal)
            from_state = current.state
            before = {name: getattr(current, name) for name in SAVED_FIELDS}
            recipients, history = effects.apply(
                effects.Step(
                    event=current,
                    action=action,
                    actor=actor,
                    mine=mine,
                    reason=reason,
                    data=data,
                    now=now,
                    on_spot=on_spot,
                )
            )
            if spec.target is not None:
                current.state = spec.target
            to_state = current.state
            _save(current, seen_version, before)
            # rows.insert: its SQL built once, as the report's transition is.
            transition = rows.insert(
                EventTransition(
                    event=current,
                    action=action,
                    from_state=from_state,
                    to_state=to_state,
                    actor=actor,
                    at=now,
                    reason=reason,
                    data=history,
                )
            )
            for p in processed:
                photo = EventPhoto(
                    event=current,
                    transition=transition,
                    stage=EventPhoto.Stage.RESULT
                    if action == "handle"
                    else EventPhoto.Stage.REPORT,
                    taken_lng=p.lng,
                    taken_lat=p.lat,
                )
                photo.image.save(p.content.name, p.content, save=False)
                saved_files.append(photo.image.name)
                photo.save()
            _publish(current, action, transition, actor, recipients)
    except BaseException:
        _delete_files(saved_files)
        raise
    return current


def _current(pk):
    """The event as a step reads it: locked, with its category and areas."""
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("category", "area", "owner_area")
        # Boundaries are large GeoJSON texts no step needs.
        .defer("area__boundary", "owner_area__boundary")
        .filter(pk=pk)
    )


SAVED_FIELDS = [
    f.attname
    for f in Event._meta.concrete_fields
    if f.attname not in ("id", "version", "created_at", "updated_at", "stats_stale")
]


def _save(event: Event, seen_version: int, before: dict) -> None:
    """Write the fields the step changed, only if nobody bumped the version meanwhile."""
    values = {
        name: getattr(event, name) for name in SAVED_FIELDS if getattr(event, name) != before[name]
    }
    values["updated_at"] = timezone.now()
    # Every step may move a KPI: the stats sync recomputes the event's facts.
    values["stats_stale"] = True
    # Built once per set of columns (``core.prepared``), as the locking read is.
    updated = prepared.update_versioned(Event, event.pk, seen_version, values)
    if updated != 1:
        raise Conflict(_("Somebody acted on this event first; reload it and try again."))
    event.version = seen_version + 1


# ---------------------------------------------------------------------------
# Publishing the step


def _publish(event: Event, action: str, transition: EventTransition, actor, recipients) -> None:
    """Publish the step (``hooks``): the apps that react to it listen there — points
    (incentives, in this transaction), notifications naming the change (notifications,
    in this transaction, sent after the commit), the KPI sweep (stats, after the commit)."""
    # Dispatch fixes ``emergency`` for the deadline; a registration comes before it.
    emergency = event.emergency or (
        action == "register" and in_emergency(event.area, transition.at)
    )
    hooks.step_done(
        hooks.StepDone(
            event=event,
            action=action,
            transition=transition,
            actor=actor,
            recipients=tuple(recipients),
            emergency=emergency,
        )
    )


# ---------------------------------------------------------------------------
# After the commit
def _follow_up(*, reported: bool = False) -> None:
    """After the commit, the sweep that catches up on this write (see ``core.sweeps``):
    the dispatchers' announcement of a new report (the KPI sweep listens to the step)."""
    from .. import tasks

    if reported:
        sweeps.soon_after_commit(tasks.announce_reports)


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
