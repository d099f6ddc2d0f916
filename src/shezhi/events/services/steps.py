"""The one function that moves an event on, and what each step does.

``perform`` is the only code that changes an event's state. It checks the
action against the table in ``workflow.py``, the actor's part in the event,
the version the actor saw (optimistic concurrency), then writes the new state,
an ``EventTransition`` and the notifications in one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import photos as photo_processing
from shezhi.core import sweeps
from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.core.roles import DISPATCHER_ROLES, GRID_ROLES
from shezhi.core.scope import holds_role_over
from shezhi.people.models import Assignment, Department, RoleAssignment

from .. import hooks, recipients
from ..models import (
    Event,
    EventFollower,
    EventPhoto,
    EventTransition,
    Whistle,
    WhistleSummons,
)
from ..workflow import ACTIONS
from .clock import (
    _clock_used,
    _pause_clock,
    _since_dispatch,
    _start_clock,
    _stop_clock,
    in_emergency,
)

S = Event.State
User = get_user_model()


def report_in_minutes() -> int:
    return getattr(settings, "SHEZHI_REPORT_IN_MINUTES", 30)


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
# Who is who in an event


def user_departments(user) -> set[int]:
    """Ids of the departments the user acts for (cached on the user for the request)."""
    cached = getattr(user, "_shezhi_departments", None)
    if cached is None:
        cached = set()
        if user.is_authenticated:
            cached = set(
                RoleAssignment.objects.filter(
                    user=user, role="department_staff", department__isnull=False
                ).values_list("department_id", flat=True)
            )
        user._shezhi_departments = cached
    return cached


def open_summoned_departments(event: Event) -> set[int]:
    return set(
        WhistleSummons.objects.filter(
            whistle__event=event, whistle__closed_at__isnull=True
        ).values_list("department_id", flat=True)
    )


def parties(user, event: Event) -> set[str]:
    """The parts ``user`` plays in ``event`` (see ``workflow``'s docstring)."""
    if user is None:
        return {"system"}
    if not user.is_authenticated:
        return set()
    found = set()
    if user.is_superuser or holds_role_over(user, event.owner_area, DISPATCHER_ROLES):
        found.add("dispatcher")
    if holds_role_over(user, event.area, GRID_ROLES) and not user.is_superuser:
        found.add("grid")
    if _is_handler(user, event):
        found.add("handler")
    if event.reporter_id == user.pk:
        found.add("reporter")
    if found & {"grid", "reporter", "dispatcher"}:
        found.add("verifier")
    departments = user_departments(user)  # cached: no query for those without one
    if departments and departments & open_summoned_departments(event):
        found.add("summoned")
    found.add("anyone")
    return found


def _is_handler(user, event: Event) -> bool:
    kind = event.handler_kind
    if kind == Event.HandlerKind.WORKER:
        return event.handler_user_id == user.pk
    if kind == Event.HandlerKind.COMMUNITY and event.handler_area_id:
        return holds_role_over(user, event.handler_area, ("community_staff",))
    if kind == Event.HandlerKind.DEPARTMENT:
        return event.handler_department_id in user_departments(user)
    return False


def allowed_actions(user, event: Event) -> list[str]:
    """The actions the user may take on the event now, in the table's order."""
    mine = parties(user, event)
    out = []
    for name, action in ACTIONS.items():
        if (
            event.state in action.sources
            and mine & set(action.parties)
            and _extra_refusal(user, event, name, mine) is None
        ):
            out.append(name)
    return out


def _extra_refusal(
    user, event: Event, action: str, mine: set[str], now: datetime | None = None
) -> str | None:
    """Rules beyond state and party; the message says why, or None when allowed.

    ``now``: the moment of the action (``perform``'s ``at``), for the reopen window.
    """
    if user is None:
        return None
    if action == "close_on_spot" and not (
        event.on_spot
        and not event.spot_check
        and event.handler_kind == Event.HandlerKind.WORKER
        and event.handler_user_id == user.pk
    ):
        return _("Only your own on-the-spot handling closes without verification.")
    if action in ("verify_pass", "verify_fail") and event.spot_check and "dispatcher" not in mine:
        return _("The community's staff verify an on-the-spot handling drawn for a spot check.")
    # Separation of duties: nobody verifies their own handling, nor rates it (a worker
    # reporting what they then handled, e.g. on the spot, is no satisfied resident).
    own_handling = (
        event.handler_kind == Event.HandlerKind.WORKER and event.handler_user_id == user.pk
    )
    if action in ("verify_pass", "verify_fail") and own_handling:
        return _("Somebody other than the handler verifies the result.")
    if action == "rate" and own_handling:
        return _("Nobody rates their own handling.")
    if action == "me_too":
        if event.followers.filter(user=user).exists():
            return _("You already follow this event.")
        if mine & {"dispatcher", "handler", "grid", "summoned"}:
            # Those who handle, dispatch or patrol it are no "me too" (nor offered one).
            return _("Only residents add a “me too”.")
    if (
        action == "rate"
        and event.rated_at
        and event.closed_at
        and event.rated_at >= event.closed_at
    ):
        return _("You have already rated this result.")
    if action == "reopen" and event.closed_at:
        limit = event.closed_at + timedelta(days=event.category.reopen_days)
        if (now or timezone.now()) > limit:
            return _("An event may be reopened within %(days)d days of closing.") % {
                "days": event.category.reopen_days
            }
    if action == "escalate":
        if event.owner_area.level == c.DISTRICT:
            return _("The event is already held by the district.")
        if (
            "grid" in mine
            and "dispatcher" not in mine
            and event.owner_area.level not in (c.GENERAL_GRID, c.MICRO_GRID)
        ):
            return _("The event has already left the grid.")
    if (
        action == "rate_whistle"
        and not Whistle.objects.filter(event=event, summonses__rating__isnull=True).exists()
    ):
        return _("No department response is waiting for a rating.")
    if (
        action == "report_in"
        and not WhistleSummons.objects.filter(
            whistle__event=event,
            whistle__closed_at__isnull=True,
            department_id__in=user_departments(user),
            reported_in_at__isnull=True,
        ).exists()
    ):
        return _("Your department has already reported in.")
    return None


# ---------------------------------------------------------------------------
# Notifications


def _users_holding(area: Area, roles) -> list[int]:
    return list(recipients.holders([area.pk], roles).get(area.pk, ()))


def _department_users(department_ids) -> list[int]:
    staff = recipients.department_staff(set(department_ids))
    return [user for users in staff.values() for user in users]


def _handler_users(event: Event) -> list[int]:
    return list(recipients.handlers([recipients.row(event)])[event.pk])


def _dispatcher_users(event: Event) -> list[int]:
    return list(recipients.dispatchers([recipients.row(event)])[event.pk])


def _follower_users(event: Event) -> list[int]:
    return list(event.followers.values_list("user_id", flat=True))


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


# ---------------------------------------------------------------------------
# The transition function


def _dispatch_target(event: Event, actor, mine: set[str], data: dict) -> dict:
    """Resolve and check where the event goes; returns the handler fields."""
    kind = data.get("target") or (Event.HandlerKind.WORKER if event.category.grid_can_solve else "")
    if kind not in Event.HandlerKind.values:
        raise BadInput(
            _("Choose who handles it: the micro-grid's worker, a community or a department."),
            field="target",
        )
    if "dispatcher" not in mine and kind != Event.HandlerKind.WORKER:
        raise Forbidden(_("A grid worker dispatches only to the micro-grid's own worker."))
    if kind == Event.HandlerKind.WORKER:
        worker_id = data.get("worker")
        if worker_id in (None, ""):
            if event.area.level != c.MICRO_GRID:
                raise BadInput(
                    _("The event is not inside a micro-grid; choose the worker."),
                    field="worker",
                )
            assignment = (
                Assignment.objects.filter(
                    area=event.area, role=Assignment.Role.RESPONSIBLE_WORKER, ended_on__isnull=True
                )
                .select_related("person")
                .first()
            )
            if assignment is None or assignment.person.user_id is None:
                raise BadInput(
                    _("The micro-grid has no responsible worker with a sign-in; choose one."),
                    field="worker",
                )
            worker_id = assignment.person.user_id
        try:
            worker = User.objects.get(pk=int(worker_id), is_active=True)
        except (User.DoesNotExist, TypeError, ValueError):
            raise BadInput(_("Unknown worker."), field="worker") from None
        if not holds_role_over(worker, event.area, (*GRID_ROLES, "community_staff")):
            raise BadInput(_("That worker does not serve where the event is."), field="worker")
        if "dispatcher" not in mine and worker.pk != actor.pk:
            assignment_worker = Assignment.objects.filter(
                area=event.area,
                role=Assignment.Role.RESPONSIBLE_WORKER,
                ended_on__isnull=True,
                person__user=worker,
            ).exists()
            if not assignment_worker:
                raise Forbidden(_("A grid worker dispatches only to the micro-grid's own worker."))
        return {
            "handler_kind": kind,
            "handler_user": worker,
            "handler_area": None,
            "handler_department": None,
        }
    if kind == Event.HandlerKind.COMMUNITY:
        community = Area.objects.defer("boundary").get(path=event.area_path[: 3 * Area.steplen])
        return {
            "handler_kind": kind,
            "handler_user": None,
            "handler_area": community,
            "handler_department": None,
        }
    department = _department_of_district(event, data.get("department"))
    return {
        "handler_kind": kind,
        "handler_user": None,
        "handler_area": None,
        "handler_department": department,
    }


def _department_of_district(event: Event, value) -> Department:
    district_path = event.area_path[: Area.steplen]
    qs = Department.objects.filter(district__path=district_path)
    dept = None
    if value not in (None, ""):
        dept = qs.filter(code=str(value)).first()
        if dept is None and str(value).isascii() and str(value).isdigit():
            dept = qs.filter(pk=int(value)).first()
    elif event.category.department_code:
        dept = qs.filter(code=event.category.department_code).first()
    if dept is None:
        raise BadInput(
            _("Unknown department %(department)s in this district.")
            % {"department": value or event.category.department_code or "—"},
            field="department",
        )
    return dept


def _same_handler(event: Event, fields: dict) -> bool:
    return (
        event.handler_kind == fields["handler_kind"]
        and event.handler_user_id == (fields["handler_user"].pk if fields["handler_user"] else None)
        and event.handler_area_id == (fields["handler_area"].pk if fields["handler_area"] else None)
        and event.handler_department_id
        == (fields["handler_department"].pk if fields["handler_department"] else None)
    )


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
            current = (
                Event.objects.select_for_update(of=("self",))
                .select_related("category", "area", "owner_area")
                # Boundaries are large GeoJSON texts no step needs.
                .defer("area__boundary", "owner_area__boundary")
                .get(pk=event.pk)
            )
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
            mine = parties(actor, current)
            if not mine & set(spec.parties):
                raise Forbidden(_("You cannot “%(action)s” this event.") % {"action": spec.label})
            refusal = _extra_refusal(actor, current, action, mine, now)
            if refusal:
                raise NotAllowed(refusal)
            from_state = current.state
            before = {name: getattr(current, name) for name in SAVED_FIELDS}
            recipients, history = _apply(
                current, action, actor, mine, reason, data, now, on_spot=on_spot
            )
            if spec.target is not None:
                current.state = spec.target
            to_state = current.state
            _save(current, seen_version, before)
            transition = EventTransition.objects.create(
                event=current,
                action=action,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                at=now,
                reason=reason,
                data=history,
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
    updated = Event.objects.filter(pk=event.pk, version=seen_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise Conflict(_("Somebody acted on this event first; reload it and try again."))
    event.version = seen_version + 1


FOLLOWER_ACTIONS = {
    "register", "void", "merge", "dispatch", "handle", "verify_pass", "close_on_spot",
}  # fmt: skip


def _apply(
    event: Event,
    action: str,
    actor,
    mine: set[str],
    reason: str,
    data: dict,
    now,
    *,
    on_spot: bool = False,
):
    """Change ``event`` in memory for ``action``; returns (recipients, history data)."""
    history: dict = {}
    recipients: list[int] = []
    # Only some steps tell the followers; the lookup is skipped for the others.
    followers = _follower_users(event) if action in FOLLOWER_ACTIONS else []
    if action == "register":
        event.registered_at = event.registered_at or now
        recipients = followers
    elif action == "void":
        kind = data.get("void_kind") or "invalid"
        if kind not in ("invalid", "duplicate"):
            raise BadInput(_("A report is voided as invalid or as a duplicate."), field="void_kind")
        history["void_kind"] = kind
        recipients = followers
    elif action == "merge":
        master = _merge_master(event, data.get("master"), actor)
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
        history["master"] = master.pk
        recipients = followers
    elif action == "dispatch":
        fields = _dispatch_target(event, actor, mine, data)
        if event.dispatch_count and not _same_handler(event, fields):
            event.redispatch_count += 1
        for name, value in fields.items():
            setattr(event, name, value)
        event.dispatch_count += 1
        event.registered_at = event.registered_at or now
        event.dispatched_at = now
        _start_clock(event, now, fresh=True)
        history.update(_handler_history(event))
        recipients = _handler_users(event) + followers
    elif action == "accept":
        history["response_seconds"] = _since_dispatch(event, now)
        recipients = []
    elif action == "return":
        history["response_seconds"] = _since_dispatch(event, now)
        if event.handler_kind == Event.HandlerKind.DEPARTMENT:
            event.bounce_count += 1
            history["bounce"] = True
        history.update(_handler_history(event))
        _stop_clock(event)
        recipients = _dispatcher_users(event)
    elif action == "handle":
        result = (data.get("result") or reason or "").strip()
        if not result:
            raise BadInput(_("Describe what was done."), field="result")
        event.result = result[:4000]
        event.handled_at = now
        # What the KPIs judge the handling by (stats.counters): the clock as it stood.
        history["within_deadline"] = event.deadline_at is None or now <= event.deadline_at
        history["working_seconds"] = _clock_used(event, now)
        event.on_spot = on_spot
        if on_spot:
            # Closed at once (close_on_spot), or drawn for the community's spot check,
            # which ``spot.handle_on_spot`` announces to the community's staff.
            event.spot_check = drawn_for_spot_check(event.pk)
            history["on_spot"] = True
            history["spot_check"] = event.spot_check
            recipients = []
        elif event.spot_check:  # reworked after a failed spot check: the community verifies
            recipients = followers + community_staff_users(event)
        else:
            recipients = followers + _verifier_users(event)
    elif action in ("verify_pass", "close_on_spot"):
        event.closed_at = now
        _stop_clock(event)
        Whistle.objects.filter(event=event, closed_at__isnull=True).update(closed_at=now)
        recipients = followers + _handler_users(event)
    elif action == "verify_fail":
        event.rework_count += 1
        recipients = _handler_users(event)
    elif action == "request_deferral":
        recipients = _dispatcher_users(event)
    elif action == "approve_deferral":
        _pause_clock(event, now)
        recipients = _handler_users(event)
    elif action == "reject_deferral":
        recipients = _handler_users(event)
    elif action == "resume":
        _start_clock(event, now, fresh=False)
        recipients = _handler_users(event)
    elif action == "reopen":
        event.reopen_count += 1
        event.closed_at = None
        event.rating = ""
        event.rating_comment = ""
        event.rated_at = None
        recipients = _dispatcher_users(event) + _handler_users(event)
    elif action == "rate":
        rating = data.get("rating")
        if rating not in Event.Rating.values:
            raise BadInput(
                _("Rate it satisfied, basically satisfied or unsatisfied."), field="rating"
            )
        event.rating = rating
        event.rating_comment = (data.get("comment") or "").strip()[:1000]
        event.rated_at = now
        history["rating"] = rating
        recipients = _handler_users(event)
    elif action == "escalate":
        parent = _parent(event.owner_area)
        history["from_area"] = event.owner_area.code
        history["to_area"] = parent.code
        event.owner_area = parent
        event.owner_path = parent.path
        event.escalation_count += 1
        recipients = _users_holding(parent, DISPATCHER_ROLES)
    elif action == "escalate_overdue":
        parent = _parent(event.owner_area) if event.owner_area.level != c.DISTRICT else None
        history["deadline_at"] = event.deadline_at.isoformat() if event.deadline_at else None
        if parent is not None:
            history["from_area"] = event.owner_area.code
            history["to_area"] = parent.code
            event.owner_area = parent
            event.owner_path = parent.path
            event.escalation_count += 1
            recipients = _users_holding(parent, DISPATCHER_ROLES)
        recipients = recipients + _handler_users(event)
    elif action == "whistle":
        recipients, history = _blow_whistle(event, actor, reason, data, now)
    elif action == "report_in":
        summonses = list(
            WhistleSummons.objects.filter(
                whistle__event=event,
                whistle__closed_at__isnull=True,
                department_id__in=user_departments(actor),
                reported_in_at__isnull=True,
            ).select_related("whistle")
        )
        for s in summonses:
            s.reported_in_at = now
            s.reported_in_by = actor
            s.note = (data.get("note") or reason or "").strip()[:1000]
            s.save(update_fields=["reported_in_at", "reported_in_by", "note"])
        history["summonses"] = [s.pk for s in summonses]
        history["on_time"] = all(now <= s.due_at for s in summonses)
        recipients = [s.whistle.blown_by_id for s in summonses]
    elif action == "rate_whistle":
        summons = _rateable_summons(event, data.get("summons"), actor)
        try:
            rating = int(data.get("rating"))
        except (TypeError, ValueError):
            rating = None
        if rating not in WhistleSummons.Rating.values:
            raise BadInput(_("Rate the response from 1 (poor) to 4 (excellent)."), field="rating")
        summons.rating = rating
        summons.rating_comment = (data.get("comment") or "").strip()[:1000]
        summons.save(update_fields=["rating", "rating_comment"])
        history.update(
            {"summons": summons.pk, "department": summons.department.code, "rating": rating}
        )
        recipients = _department_users([summons.department_id])
    elif action == "me_too":
        EventFollower.objects.create(event=event, user=actor, kind=EventFollower.Kind.ME_TOO)
        event.me_too_count += 1
        recipients = []
    return recipients, history


def _handler_history(event: Event) -> dict:
    return {
        "handler_kind": event.handler_kind,
        "handler_user": event.handler_user_id,
        "handler_area": event.handler_area.code if event.handler_area_id else None,
        "handler_department": (
            event.handler_department.code if event.handler_department_id else None
        ),
    }


def _parent(area: Area) -> Area:
    return Area.objects.defer("boundary").get(path=area.path[: -Area.steplen])


def _verifier_users(event: Event) -> list[int]:
    users = _users_holding(event.area, GRID_ROLES)
    grid = _parent(event.area) if event.area.level == c.MICRO_GRID else None
    if grid is not None:
        users += _users_holding(grid, ("grid_worker",))
    return [u for u in users if u != event.handler_user_id]


def community_staff_users(event: Event) -> list[int]:
    """Staff of the community the event lies in: who verifies a spot check."""
    path = event.area_path[: 3 * Area.steplen]
    community = Area.objects.defer("boundary").filter(path=path, level=c.COMMUNITY).first()
    return _users_holding(community, ("community_staff",)) if community else []


def _merge_master(event: Event, value, actor) -> Event:
    from ..selectors import visible_events

    try:
        master = visible_events(actor).select_related("category").get(pk=int(value))
    except (Event.DoesNotExist, TypeError, ValueError):
        raise BadInput(_("Choose the event this one duplicates."), field="master") from None
    if master.pk == event.pk:
        raise BadInput(_("An event cannot duplicate itself."), field="master")
    if master.state in (S.VOIDED, S.MERGED):
        raise BadInput(_("Merge into an event that is still valid."), field="master")
    if master.area_path[: Area.steplen] != event.area_path[: Area.steplen]:
        raise BadInput(_("Merge only events of the same district."), field="master")
    return master


def _blow_whistle(event: Event, actor, reason: str, data: dict, now):
    raw = data.get("departments") or []
    if isinstance(raw, (str, int)):
        raw = [raw]
    departments = []
    for value in raw:
        dept = _department_of_district(event, value)
        if dept not in departments:
            departments.append(dept)
    if not departments:
        raise BadInput(_("Summon at least one department."), field="departments")
    try:
        raw_minutes = data.get("report_in_minutes")
        minutes = int(report_in_minutes() if raw_minutes in (None, "") else raw_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 24 * 60:
        raise BadInput(_("Report-in time is 1 to 1,440 minutes."), field="report_in_minutes")
    history = {}
    if event.owner_area.level in (c.GENERAL_GRID, c.MICRO_GRID):
        # The community blows the whistle (a grid cannot): it takes the event up first.
        community = Area.objects.defer("boundary").get(path=event.owner_path[: 3 * Area.steplen])
        history = {"from_area": event.owner_area.code, "to_area": community.code}
        event.owner_area = community
        event.owner_path = community.path
    whistle = Whistle.objects.create(
        event=event, area=event.owner_area, blown_by=actor, reason=reason, blown_at=now
    )
    due = now + timedelta(minutes=minutes)
    WhistleSummons.objects.bulk_create(
        [WhistleSummons(whistle=whistle, department=d, due_at=due) for d in departments]
    )
    history |= {
        "whistle": whistle.pk,
        "departments": [d.code for d in departments],
        "report_in_minutes": minutes,
    }
    if event.state in (S.REGISTERED, S.RETURNED):
        # Nobody handles it yet: the first summoned department leads.
        lead = departments[0]
        if event.dispatch_count and not (
            event.handler_kind == Event.HandlerKind.DEPARTMENT
            and event.handler_department_id == lead.pk
        ):
            event.redispatch_count += 1
        event.handler_kind = Event.HandlerKind.DEPARTMENT
        event.handler_user = None
        event.handler_area = None
        event.handler_department = lead
        event.dispatch_count += 1
        event.registered_at = event.registered_at or now
        event.dispatched_at = now
        _start_clock(event, now, fresh=True)
        event.state = S.DISPATCHED
        history["lead"] = lead.code
    return _department_users([d.pk for d in departments]), history


def _rateable_summons(event: Event, value, actor) -> WhistleSummons:
    qs = WhistleSummons.objects.filter(whistle__event=event).select_related(
        "department", "whistle__area"
    )
    try:
        summons = qs.get(pk=int(value))
    except (WhistleSummons.DoesNotExist, TypeError, ValueError):
        raise BadInput(_("Choose the department's summons to rate."), field="summons") from None
    if not (actor.is_superuser or holds_role_over(actor, summons.whistle.area, DISPATCHER_ROLES)):
        raise Forbidden(_("Only the level that blew the whistle rates the response."))
    if summons.rating is not None:
        raise NotAllowed(_("That response is already rated."))
    return summons
