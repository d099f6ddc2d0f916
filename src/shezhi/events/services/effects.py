"""What each step does, one function per action of the transition table.

``perform`` checks the table, the actor's part and the version, then looks the
action's effect up here (``apply``). An effect changes the event in memory
(``perform`` saves the fields that moved), writes the rows the step brings with it
(followers, whistles, summonses, ratings), puts what the history row carries in
``step.history`` (read back through ``facts``) and returns who is told (user ids;
the followers, when the table's row says the step tells them, are in
``step.followers``).

Every action in ``workflow.ACTIONS`` has exactly one effect registered with
``@effect``, or is named in ``EFFECT_FREE``; ``check()`` runs when this module is
imported, so a row added to the table without its effect fails at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.core.errors import BadInput

from ..models import Event, EventFollower, Whistle, WhistleSummons
from ..recipients import (
    area_dispatchers,
    community_staff_users,
    department_users,
    dispatcher_users,
    follower_users,
    handler_users,
    verifier_users,
)
from ..workflow import ACTIONS
from . import routing, whistle
from .clock import _clock_used, _pause_clock, _since_dispatch, _start_clock, _stop_clock


@dataclass
class Step:
    """One step under way: what the effect reads, and the history it writes."""

    event: Event
    action: str
    actor: Any  # None: the platform (the SLA scan)
    mine: set[str]  # the actor's parties in the event (``permissions.parties``)
    reason: str
    data: dict
    now: datetime
    on_spot: bool = False
    followers: list[int] = field(default_factory=list)
    history: dict = field(default_factory=dict)


Effect = Callable[[Step], list[int]]
EFFECTS: dict[str, Effect] = {}
# Actions that only move the state (the table's ``target``) and tell nobody: none yet.
EFFECT_FREE: frozenset[str] = frozenset()


def effect(*actions: str) -> Callable[[Effect], Effect]:
    """Register the decorated function as the effect of ``actions``."""

    def register(fn: Effect) -> Effect:
        for name in actions:
            if name not in ACTIONS:
                raise ImproperlyConfigured(f"An effect for {name!r}, which is not in the table.")
            if name in EFFECTS:
                raise ImproperlyConfigured(f"Two effects for {name!r}.")
            EFFECTS[name] = fn
        return fn

    return register


def check() -> None:
    """Every action of the table has exactly one effect, or is declared effect-free."""
    missing = set(ACTIONS) - set(EFFECTS) - EFFECT_FREE
    both = set(EFFECTS) & EFFECT_FREE
    unknown = EFFECT_FREE - set(ACTIONS)
    if missing or both or unknown:
        raise ImproperlyConfigured(
            "The workflow's effects do not match its table: "
            f"without an effect {sorted(missing)}, with one and declared effect-free "
            f"{sorted(both)}, declared effect-free but not in the table {sorted(unknown)}."
        )


def apply(step: Step) -> tuple[list[int], dict]:
    """Run ``step.action``'s effect; returns (who is told, the history row's data)."""
    if ACTIONS[step.action].tells_followers:
        # Only some steps tell the followers; the lookup is skipped for the others.
        step.followers = follower_users(step.event)
    fn = EFFECTS.get(step.action)
    recipients = fn(step) if fn is not None else []
    return recipients, step.history


# ---------------------------------------------------------------------------
# The spot check's draw (a handling on the spot)


def spot_check_share() -> float:
    """The share of on-the-spot handlings sent to the community for a spot check (抽查核查),
    0 to 1 (settings: SHEZHI_SPOT_CHECK_SHARE, default 0.1)."""
    share = float(getattr(settings, "SHEZHI_SPOT_CHECK_SHARE", 0.1))
    return min(max(share, 0.0), 1.0)


def drawn_for_spot_check(event_id: int) -> bool:
    """Whether event ``event_id``'s on-the-spot handling goes to the spot check.

    Deterministic per event (the same answer every time, so tests and a retry can rely
    on it) yet not predictable by a worker: an HMAC of the id under the installation's
    secret key, read as a number in [0, 1), against ``spot_check_share()``.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"shezhi-spot-check:{event_id}".encode(), hashlib.sha256
    ).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < spot_check_share()


# ---------------------------------------------------------------------------
# Registration and triage


@effect("register")
def _register(step: Step) -> list[int]:
    step.event.registered_at = step.event.registered_at or step.now
    return step.followers


@effect("void")
def _void(step: Step) -> list[int]:
    kind = step.data.get("void_kind") or "invalid"
    if kind not in ("invalid", "duplicate"):
        raise BadInput(_("A report is voided as invalid or as a duplicate."), field="void_kind")
    step.history["void_kind"] = kind
    return step.followers


@effect("merge")
def _merge(step: Step) -> list[int]:
    event = step.event
    master = routing.merge_master(event, step.data.get("master"), step.actor)
    event.master = master
    moved = 0
    for follower in event.followers.all():
        _follow, created = EventFollower.objects.get_or_create(
            event=master, user=follower.user, defaults={"kind": EventFollower.Kind.ME_TOO}
        )
        moved += int(created)
    Event.objects.filter(pk=master.pk).update(
        me_too_count=F("me_too_count") + moved, version=F("version") + 1
    )
    step.history["master"] = master.pk
    return step.followers


@effect("me_too")
def _me_too(step: Step) -> list[int]:
    EventFollower.objects.create(event=step.event, user=step.actor, kind=EventFollower.Kind.ME_TOO)
    step.event.me_too_count += 1
    return []


# ---------------------------------------------------------------------------
# Dispatch and handling


@effect("dispatch")
def _dispatch(step: Step) -> list[int]:
    event, now = step.event, step.now
    fields = routing.dispatch_target(event, step.actor, step.mine, step.data)
    if event.dispatch_count and not routing.same_handler(event, fields):
        event.redispatch_count += 1
    for name, value in fields.items():
        setattr(event, name, value)
    event.dispatch_count += 1
    event.registered_at = event.registered_at or now
    event.dispatched_at = now
    _start_clock(event, now, fresh=True)
    step.history.update(routing.handler_history(event))
    return handler_users(event) + step.followers


@effect("accept")
def _accept(step: Step) -> list[int]:
    step.history["response_seconds"] = _since_dispatch(step.event, step.now)
    return []


@effect("return")
def _return(step: Step) -> list[int]:
    event = step.event
    step.history["response_seconds"] = _since_dispatch(event, step.now)
    if event.handler_kind == Event.HandlerKind.DEPARTMENT:
        event.bounce_count += 1
        step.history["bounce"] = True
    step.history.update(routing.handler_history(event))
    _stop_clock(event)
    return dispatcher_users(event)


@effect("handle")
def _handle(step: Step) -> list[int]:
    event, now, history = step.event, step.now, step.history
    result = (step.data.get("result") or step.reason or "").strip()
    if not result:
        raise BadInput(_("Describe what was done."), field="result")
    event.result = result[:4000]
    event.handled_at = now
    # What the KPIs judge the handling by (stats.counters): the clock as it stood.
    history["within_deadline"] = event.deadline_at is None or now <= event.deadline_at
    history["working_seconds"] = _clock_used(event, now)
    event.on_spot = step.on_spot
    if step.on_spot:
        # Closed at once (close_on_spot), or drawn for the community's spot check,
        # which ``spot.handle_on_spot`` announces to the community's staff.
        event.spot_check = drawn_for_spot_check(event.pk)
        history["on_spot"] = True
        history["spot_check"] = event.spot_check
        return []
    if event.spot_check:  # reworked after a failed spot check: the community verifies
        return step.followers + community_staff_users(event)
    return step.followers + verifier_users(event)


@effect("verify_pass", "close_on_spot")
def _close(step: Step) -> list[int]:
    event, now = step.event, step.now
    event.closed_at = now
    _stop_clock(event)
    Whistle.objects.filter(event=event, closed_at__isnull=True).update(closed_at=now)
    return step.followers + handler_users(event)


@effect("verify_fail")
def _verify_fail(step: Step) -> list[int]:
    step.event.rework_count += 1
    return handler_users(step.event)


# ---------------------------------------------------------------------------
# Deferral, reopening, rating


@effect("request_deferral")
def _request_deferral(step: Step) -> list[int]:
    return dispatcher_users(step.event)


@effect("approve_deferral")
def _approve_deferral(step: Step) -> list[int]:
    _pause_clock(step.event, step.now)
    return handler_users(step.event)


@effect("reject_deferral")
def _reject_deferral(step: Step) -> list[int]:
    return handler_users(step.event)


@effect("resume")
def _resume(step: Step) -> list[int]:
    _start_clock(step.event, step.now, fresh=False)
    return handler_users(step.event)


@effect("reopen")
def _reopen(step: Step) -> list[int]:
    event = step.event
    event.reopen_count += 1
    event.closed_at = None
    event.rating = ""
    event.rating_comment = ""
    event.rated_at = None
    return dispatcher_users(event) + handler_users(event)


@effect("rate")
def _rate(step: Step) -> list[int]:
    event, data = step.event, step.data
    rating = data.get("rating")
    if rating not in Event.Rating.values:
        raise BadInput(_("Rate it satisfied, basically satisfied or unsatisfied."), field="rating")
    event.rating = rating
    event.rating_comment = (data.get("comment") or "").strip()[:1000]
    event.rated_at = step.now
    step.history["rating"] = rating
    return handler_users(event)


# ---------------------------------------------------------------------------
# Escalation


def _move_up(step: Step) -> list[int]:
    """The level above the event's holder takes it up; returns that level's dispatchers."""
    event = step.event
    parent = routing.parent_area(event.owner_area)
    step.history["from_area"] = event.owner_area.code
    step.history["to_area"] = parent.code
    event.owner_area = parent
    event.owner_path = parent.path
    event.escalation_count += 1
    return area_dispatchers(parent)


@effect("escalate")
def _escalate(step: Step) -> list[int]:
    return _move_up(step)


@effect("escalate_overdue")
def _escalate_overdue(step: Step) -> list[int]:
    event = step.event
    step.history["deadline_at"] = event.deadline_at.isoformat() if event.deadline_at else None
    recipients = _move_up(step) if event.owner_area.level != c.DISTRICT else []
    return recipients + handler_users(event)


# ---------------------------------------------------------------------------
# 吹哨报到


@effect("whistle")
def _whistle(step: Step) -> list[int]:
    recipients, history = whistle.blow_whistle(
        step.event, step.actor, step.reason, step.data, step.now
    )
    step.history.update(history)
    return recipients


@effect("report_in")
def _report_in(step: Step) -> list[int]:
    note = (step.data.get("note") or step.reason or "").strip()[:1000]
    summonses = whistle.report_in(step.event, step.actor, note, step.now)
    step.history["summonses"] = [s.pk for s in summonses]
    step.history["on_time"] = all(step.now <= s.due_at for s in summonses)
    return [s.whistle.blown_by_id for s in summonses]


@effect("rate_whistle")
def _rate_whistle(step: Step) -> list[int]:
    data = step.data
    summons = whistle.rateable_summons(step.event, data.get("summons"), step.actor)
    try:
        rating = int(data.get("rating"))
    except (TypeError, ValueError):
        rating = None
    if rating not in WhistleSummons.Rating.values:
        raise BadInput(_("Rate the response from 1 (poor) to 4 (excellent)."), field="rating")
    summons.rating = rating
    summons.rating_comment = (data.get("comment") or "").strip()[:1000]
    summons.save(update_fields=["rating", "rating_comment"])
    step.history.update(
        {"summons": summons.pk, "department": summons.department.code, "rating": rating}
    )
    return department_users([summons.department_id])


check()
