"""Every write of an emergency operation: start (with its fan-out), checks, roll-call,
hand-outs and stand-down. Keyword-only, one transaction each, permission checked.

Retries record once: each write carries the client's request key (a retried tap sends
the same key and gets the first answer back, nothing written twice). Two workers
checking one household cannot both win: a check is a conditional update of the line
(its outcome still blank, or still at the version the worker saw); the loser gets a
``Conflict`` naming who recorded the outcome and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.core.lists import successor
from shezhi.core.scope import held_areas
from shezhi.events.selectors import active_emergency_periods, display_names
from shezhi.households.models import Household, Resident

from . import hooks, permissions
from .models import CheckLine, Distribution, GridTally, Kind, Need, Operation, Outcome, RollCall

TITLE_MAX = 100
INSTRUCTIONS_MAX = 4000
NOTES_MAX = 500
KEY_MAX = 64
# Plain tags (households.tags) that put a household first on the check list. The
# sensitive ones (残疾 …) are encrypted and stay out of a bulk statement: a worker marks
# such a resident 需要应急帮扶, the plain tag made for this (households.tags).
VULNERABLE_TAGS = (
    "lives_alone",
    "empty_nest",
    "very_old",
    "left_behind_child",
    "needs_emergency_help",
)


def _key(value: str, *, required: bool = True) -> str:
    key = (value or "").strip()
    if required and not key:
        raise BadInput(_("Send a request key (any text up to 64 characters)."), field="request_key")
    if len(key) > KEY_MAX:
        raise BadInput(_("The request key is longer than 64 characters."), field="request_key")
    return key


def _text(value: str, field: str, limit: int, *, required: bool = False, label: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise BadInput(_("%(field)s is required.") % {"field": label or field}, field=field)
    if len(text) > limit:
        raise BadInput(
            _("%(field)s is longer than %(limit)s characters.")
            % {"field": label or field, "limit": limit},
            field=field,
        )
    return text


def _task_done(operation, kind, key, user, area, at, row) -> None:
    """Publish a piece of the operation's work (``hooks.TaskDone``: points, once per key)."""
    hooks.task_done(hooks.TaskDone(operation, kind, key, user, area, at, row))


# ---------------------------------------------------------------------------
# Start and fan-out


def start_operation(
    *,
    actor,
    area: Area,
    kind: str,
    title: str,
    instructions: str = "",
    request_key: str = "",
    at: datetime | None = None,
) -> Operation:
    """Start an operation on ``area`` (in emergency mode) and fan out its check lines."""
    if not permissions.can(actor, "start", area):
        raise Forbidden(_("Street staff or district admins start an operation."))
    if kind not in Kind.values:
        raise BadInput(_("Unknown kind of emergency: %(kind)s.") % {"kind": kind}, field="kind")
    title = _text(title, "title", TITLE_MAX, required=True, label=_("The title"))
    instructions = _text(instructions, "instructions", INSTRUCTIONS_MAX, label=_("Instructions"))
    request_key = _key(request_key, required=False)
    if request_key:
        existing = Operation.objects.filter(started_by=actor, request_key=request_key).first()
        if existing is not None:
            return existing
    now = at or timezone.now()
    periods = active_emergency_periods(area, now)
    if not periods:
        raise NotAllowed(
            _("Declare emergency mode on the area first; an operation runs inside it."),
            field="area",
        )
    with transaction.atomic():
        if Operation.objects.filter(area=area, state=Operation.State.RUNNING).exists():
            raise NotAllowed(_("An operation is already running in this area."), field="area")
        operation = Operation.objects.create(
            area=area,
            area_path=area.path,
            period=periods[-1],
            kind=kind,
            title=title,
            instructions=instructions,
            started_at=now,
            started_by=actor,
            request_key=request_key,
        )
        fan_out(operation)
    return operation


def fan_out(operation: Operation) -> int:
    """One check line per household of the operation's area, and one tally per micro-grid,
    each written by one INSERT … SELECT (160,000 households: a few seconds)."""
    line = connection.ops.quote_name(CheckLine._meta.db_table)
    tally = connection.ops.quote_name(GridTally._meta.db_table)
    household = connection.ops.quote_name(Household._meta.db_table)
    resident = connection.ops.quote_name(Resident._meta.db_table)
    path = operation.area_path
    upper = successor(path)
    tagged = " OR ".join("r.tags LIKE %s" for _t in VULNERABLE_TAGS)
    params: list = [operation.pk, *(f"%,{t},%" for t in VULNERABLE_TAGS), path]
    bound = "h.area_path >= %s"
    if upper is not None:
        bound += " AND h.area_path < %s"
        params.append(upper)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {line} (operation_id, household_id, micro_grid_id, area_path, rank,"  # noqa: S608
            " outcome, needs, notes, request_key, version)"
            " SELECT %s, h.id, h.micro_grid_id, h.area_path,"
            f" CASE WHEN EXISTS (SELECT 1 FROM {resident} r WHERE r.household_id = h.id"
            f" AND ({tagged})) THEN 0 ELSE 1 END, '', '', '', '', 0"
            f" FROM {household} h WHERE {bound}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {tally} (operation_id, micro_grid_id, area_path, households,"  # noqa: S608
            " vulnerable, checked, vulnerable_checked, reached, absent, refused, needs_help)"
            " SELECT operation_id, micro_grid_id, MIN(area_path), COUNT(*),"
            " SUM(CASE WHEN rank = 0 THEN 1 ELSE 0 END), 0, 0, 0, 0, 0, 0"
            f" FROM {line} WHERE operation_id = %s GROUP BY operation_id, micro_grid_id",
            [operation.pk],
        )
        cursor.execute(
            f"SELECT COALESCE(SUM(households), 0), COALESCE(SUM(vulnerable), 0) FROM {tally}"  # noqa: S608
            " WHERE operation_id = %s",
            [operation.pk],
        )
        households, vulnerable = cursor.fetchone()
    Operation.objects.filter(pk=operation.pk).update(households=households, vulnerable=vulnerable)
    operation.households, operation.vulnerable = int(households), int(vulnerable)
    return operation.households


# ---------------------------------------------------------------------------
# Door-to-door checks


@dataclass
class Checked:
    line: CheckLine
    created: bool


def _needs(outcome: str, needs) -> str:
    chosen = [n for n in (needs or []) if n]
    unknown = [n for n in chosen if n not in Need.values]
    if unknown:
        raise BadInput(_("Unknown need: %(need)s.") % {"need": unknown[0]}, field="needs")
    if outcome == Outcome.NEEDS_HELP and not chosen:
        raise BadInput(_("Say which help the household needs."), field="needs")
    if outcome != Outcome.NEEDS_HELP and chosen:
        raise BadInput(_("Needs go with the outcome “needs help” only."), field="needs")
    ordered = [n for n in Need.values if n in set(chosen)]
    return f",{','.join(ordered)}," if ordered else ""


def _conflict(line: CheckLine) -> Conflict:
    who = display_names([line.checked_by_id]).get(line.checked_by_id, "")
    when = timezone.localtime(line.checked_at).strftime("%H:%M") if line.checked_at else ""
    return Conflict(
        _("%(who)s already recorded this household at %(when)s: %(outcome)s.")
        % {"who": who, "when": when, "outcome": line.get_outcome_display()},
        field="outcome",
    )


def record_check(
    *,
    actor,
    line: CheckLine,
    outcome: str,
    needs=(),
    notes: str = "",
    request_key: str,
    version: int | None = None,
    at: datetime | None = None,
) -> Checked:
    """Record what a check of ``line``'s household found.

    Without ``version`` the line must not have an outcome yet; with it (a re-check of a
    household found absent, say) the line must still be at that version. A retry of the
    request that recorded the outcome (same key, same worker) answers it again.
    """
    if outcome not in Outcome.values:
        raise BadInput(_("Unknown outcome: %(outcome)s.") % {"outcome": outcome}, field="outcome")
    need_text = _needs(outcome, needs)
    notes = _text(notes, "notes", NOTES_MAX, label=_("Notes"))
    request_key = _key(request_key)
    if not permissions.can(actor, "check", line):
        raise Forbidden(_("Only those who work this micro-grid record its checks."))
    operation = line.operation
    if line.request_key == request_key and line.checked_by_id == actor.pk:
        return Checked(line, False)
    if not operation.running:
        raise NotAllowed(_("The operation has been stood down."), field="operation")
    now = at or timezone.now()
    with transaction.atomic():
        if version is None:
            seen = CheckLine.objects.filter(pk=line.pk, outcome="").values_list(
                "outcome", "version", "need_event_id"
            )
        else:
            seen = CheckLine.objects.filter(pk=line.pk, version=version).values_list(
                "outcome", "version", "need_event_id"
            )
        before = seen.first()
        if before is None:
            return _lost(line, actor, request_key)
        prior, seen_version, need_event_id = before
        first = {} if prior else {"first_checked_at": now}
        won = CheckLine.objects.filter(pk=line.pk, version=seen_version).update(
            **first,
            outcome=outcome,
            needs=need_text,
            notes=notes,
            checked_at=now,
            checked_by=actor,
            request_key=request_key,
            version=F("version") + 1,
        )
        if not won:
            return _lost(line, actor, request_key)
        _tally(line, prior, outcome)
        line.refresh_from_db()
        if outcome == Outcome.NEEDS_HELP and need_event_id is None:
            household = Household.objects.select_related("building", "building__compound").get(
                pk=line.household_id
            )
            event = hooks.help_needed(
                hooks.HelpNeeded(
                    operation=operation,
                    line=line,
                    household=household,
                    needs=tuple(line.need_list),
                    notes=notes,
                    actor=actor,
                    at=now,
                )
            )
            if event is not None:
                CheckLine.objects.filter(pk=line.pk).update(need_event=event)
                line.need_event = event
        if not prior:
            _task_done(operation, "check", f"line:{line.pk}", actor, line.micro_grid, now, line)
    return Checked(line, True)


def _lost(line: CheckLine, actor, request_key: str) -> Checked:
    current = CheckLine.objects.get(pk=line.pk)
    if current.request_key == request_key and current.checked_by_id == actor.pk:
        return Checked(current, False)  # our own earlier request, retried
    raise _conflict(current)


_COUNTERS = {
    Outcome.REACHED: "reached",
    Outcome.ABSENT: "absent",
    Outcome.REFUSED: "refused",
    Outcome.NEEDS_HELP: "needs_help",
}


def _tally(line: CheckLine, prior: str, outcome: str) -> None:
    changes = {}
    if not prior:
        changes["checked"] = F("checked") + 1
        if line.rank == 0:
            changes["vulnerable_checked"] = F("vulnerable_checked") + 1
    if prior != outcome:
        if prior:
            changes[_COUNTERS[prior]] = F(_COUNTERS[prior]) - 1
        changes[_COUNTERS[outcome]] = F(_COUNTERS[outcome]) + 1
    if changes:
        GridTally.objects.filter(
            operation_id=line.operation_id, micro_grid_id=line.micro_grid_id
        ).update(**changes)


# ---------------------------------------------------------------------------
# Roll-call and hand-outs


def _coordinate(value, field: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(_("The coordinates are not numbers."), field=field) from None
    if not (low <= number <= high):
        raise BadInput(_("The coordinates are out of range."), field=field)
    return number


def report_roll_call(
    *,
    actor,
    operation: Operation,
    status: str,
    lng=None,
    lat=None,
    note: str = "",
    request_key: str = "",
    at: datetime | None = None,
) -> RollCall:
    """The actor's own roll-call report; a later report replaces the earlier one. The
    first report of being on duty is a task (paid once)."""
    if status not in RollCall.Status.values:
        raise BadInput(_("Unknown status: %(status)s.") % {"status": status}, field="status")
    lng = _coordinate(lng, "lng", -180, 180)
    lat = _coordinate(lat, "lat", -90, 90)
    if (lng is None) != (lat is None):
        raise BadInput(
            _("Give both coordinates or neither."), field="lng" if lng is None else "lat"
        )
    if status == RollCall.Status.ON_DUTY and lng is None:
        raise BadInput(_("Give your location when you report on duty."), field="lng")
    note = _text(note, "note", 200, label=_("Note"))
    request_key = _key(request_key, required=False)
    mine = [
        a
        for a in held_areas(actor, permissions.ACTIONS["roll_call"])
        if a.path.startswith(operation.area_path) or operation.area_path.startswith(a.path)
    ]
    if not mine and not actor.is_superuser:
        raise Forbidden(_("Only the workers and staff of the operation's area report in."))
    if not operation.running:
        raise NotAllowed(_("The operation has been stood down."), field="operation")
    area = max(mine, key=lambda a: len(a.path)) if mine else operation.area
    path = area.path if area.path.startswith(operation.area_path) else operation.area_path
    now = at or timezone.now()
    with transaction.atomic():
        existing = (
            RollCall.objects.select_for_update().filter(operation=operation, user=actor).first()
        )
        if existing is not None and request_key and existing.request_key == request_key:
            return existing
        if existing is None:
            row = RollCall.objects.create(
                operation=operation,
                user=actor,
                area_path=path,
                status=status,
                lng=lng,
                lat=lat,
                note=note,
                reported_at=now,
                request_key=request_key,
            )
        else:
            existing.status, existing.lng, existing.lat = status, lng, lat
            existing.note, existing.reported_at, existing.request_key = note, now, request_key
            existing.area_path = path
            existing.save()
            row = existing
        if status == RollCall.Status.ON_DUTY:  # paid once per worker (the key)
            _task_done(
                operation,
                "roll_call",
                f"roll_call:{operation.pk}:{actor.pk}",
                actor,
                area,
                now,
                row,
            )
    return row


def hand_out(
    *,
    actor,
    line: CheckLine,
    item: str,
    quantity,
    signed_by: str,
    request_key: str,
    at: datetime | None = None,
) -> Distribution:
    """Supplies handed to ``line``'s household, signed for; a retried request records once."""
    item = _text(item, "item", 50, required=True, label=_("The item"))
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise BadInput(_("The quantity is not a whole number."), field="quantity") from None
    if not 1 <= quantity <= 10_000:
        raise BadInput(_("The quantity must be between 1 and 10,000."), field="quantity")
    signed_by = _text(signed_by, "signed_by", 50, required=True, label=_("Who signed for it"))
    request_key = _key(request_key)
    if not permissions.can(actor, "check", line):
        raise Forbidden(_("Only those who work this micro-grid hand out its supplies."))
    operation = line.operation
    existing = Distribution.objects.filter(operation=operation, request_key=request_key).first()
    if existing is not None:
        if existing.line_id != line.pk or existing.handed_by_id != actor.pk:
            raise BadInput(
                _("This request key was used for another hand-out."), field="request_key"
            )
        return existing
    if not operation.running:
        raise NotAllowed(_("The operation has been stood down."), field="operation")
    now = at or timezone.now()
    with transaction.atomic():
        row = Distribution.objects.create(
            operation=operation,
            line=line,
            area_path=line.area_path,
            item=item,
            quantity=quantity,
            signed_by=signed_by,
            handed_by=actor,
            handed_at=now,
            request_key=request_key,
        )
        _task_done(
            operation, "distribution", f"distribution:{row.pk}", actor, line.micro_grid, now, row
        )
    return row


# ---------------------------------------------------------------------------
# Stand-down


def stand_down(*, actor, operation: Operation, at: datetime | None = None) -> Operation:
    """End the operation: no more checks, roll-calls or hand-outs; the after-action report
    reads what it did (``reports``). Emergency mode itself ends on events' page."""
    if not permissions.can(actor, "stand_down", operation):
        raise Forbidden(_("Street staff or district admins stand an operation down."))
    now = at or timezone.now()
    done = Operation.objects.filter(pk=operation.pk, state=Operation.State.RUNNING).update(
        state=Operation.State.STOOD_DOWN, ended_at=now, ended_by=actor
    )
    if not done:
        raise NotAllowed(_("The operation has already been stood down."), field="operation")
    operation.refresh_from_db()
    return operation


__all__ = [
    "Checked",
    "fan_out",
    "hand_out",
    "record_check",
    "report_roll_call",
    "stand_down",
    "start_operation",
]
