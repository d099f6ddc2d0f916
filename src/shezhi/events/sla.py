"""The SLA scan: reminders before deadlines, overdue notices, escalations, late report-ins.

A timer runs ``shezhi sla_scan`` every minute or so (``scan()`` here does the
work). One run, at ``now``:

1. **Deadline approaching** (``due_soon``): events in a clock state
   (``selectors.CLOCK_STATES``) with ``warn_at <= now < deadline_at`` (80 % of
   their working time used, fixed at dispatch) remind their handler, once per
   event and deadline.
2. **Overdue** (``overdue``): events in a clock state with ``deadline_at <= now``
   notify the handler and the dispatchers of the level holding the event
   (``owner_area``), once per event and deadline.
3. **Escalated** (``escalated``): of those, the ones whose category says
   ``escalate_when_overdue`` and that a level above can still take (not held
   by the district) get the table's ``escalate_overdue`` action through
   ``services.perform`` with the platform as the actor: the level above now
   holds the event and sees it in its queue. Someone acting on the event at
   that moment makes ``perform`` raise ``Conflict``: the event is skipped this
   round (its claim is rolled back with it) and tried again next run.
0. **New reports** (``reported``): events still ``reported`` that no
   dispatcher has been told of notify the dispatchers of the level holding
   them, once per event. The task worker runs this step on its own within
   seconds of a report (``announce_reports``, enqueued by
   ``services.report_event``); the scan repeats it for any report whose task
   was lost.
4. **Report-in overdue** (``report_in_overdue``): summonses of an open whistle
   whose ``due_at`` passed without a report-in notify the whistle-blower and
   the summoned departments' staff, once per event and ``due_at`` (two
   summonses of one whistle share a due time and one notice).

Every notice is a ``SlaNotice`` row, unique per (event, kind, deadline): the
scan *inserts first* (``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``,
the same statement on SQLite ≥ 3.35 and PostgreSQL) and notifies only for the
rows its own insert returned, in the same transaction. Two scans at once
therefore send each notice exactly once: on PostgreSQL the second scan's
insert waits for the first one's uncommitted rows and then skips them; on
SQLite writers queue anyway. A run that fails half-way rolls back its claims
with its notifications, so nothing is lost either.

Speed: each kind is one set-based query over the ``(state, warn_at)`` and
``(state, deadline_at)`` indexes with an anti-join on the notices' unique
index, taken in batches of ``BATCH`` events; recipients are looked up once per
batch, and notifications are written with one bulk insert per batch and
delivered by one background task per batch. Only escalations go one event at
a time, because each is a real transition (history row, version check, owner
moved); in steady state there are as many as events newly overdue since the
last run, and after an outage at most ``MAX_ESCALATIONS`` (or
``ESCALATION_SECONDS``' worth) per run, oldest deadline first; the overdue
*notices* themselves are never held back.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from shezhi.areas import constants as c
from shezhi.core.errors import EventError
from shezhi.core.notices import Notice, publish_notices

from . import hooks, recipients, services
from .models import OPEN_EXCLUDED, Category, Event, SlaNotice, Whistle, WhistleSummons
from .selectors import CLOCK_STATES

logger = logging.getLogger("shezhi.events.sla")

BATCH = 2000  # events claimed, and notified, per transaction
# Escalations are real transitions (10-20 ms each, see bench/sla_scan.py): a run
# escalates at most this many, oldest deadline first, so one run stays short even
# after an outage; the next run (a minute later) takes the next ones. In steady
# state a run meets only the events that went overdue since the previous one.
MAX_ESCALATIONS = 200
# … and stops starting new ones after this many seconds of escalating, so a slow
# or busy database cannot stretch a run either.
ESCALATION_SECONDS = 3.0
K = SlaNotice.Kind


@dataclass
class ScanResult:
    """What one run did (or, with ``dry_run``, would do)."""

    now: datetime
    dry_run: bool = False
    reminders: int = 0
    overdue: int = 0
    escalated: int = 0
    report_in_overdue: int = 0
    announced: int = 0  # new reports whose dispatchers were told
    skipped: int = 0  # escalations skipped because someone acted on the event first
    escalations_left: int = 0  # left for the next runs (max_escalations, escalation_seconds)
    failed: int = 0  # escalations that raised an unexpected error (logged)
    notifications: int = 0
    seconds: float = 0.0
    skipped_events: list[int] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"reminders {self.reminders}, overdue {self.overdue}, escalated {self.escalated}"
        if self.escalations_left:
            text += f" ({self.escalations_left} left for the next runs)"
        text += f", report-in overdue {self.report_in_overdue}, skipped on conflict {self.skipped}"
        text += f", new reports announced {self.announced}"
        if self.failed:
            text += f", failed {self.failed}"
        text += f", notifications {self.notifications}, {self.seconds:.2f} s"
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text


def scan(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    max_escalations: int | None = MAX_ESCALATIONS,
    escalation_seconds: float | None = ESCALATION_SECONDS,
) -> ScanResult:
    """Run the SLA scan once at ``now`` (default: the current time); see the module docstring.

    Idempotent: a second run at the same or a later time sends nothing already
    sent. ``dry_run`` counts what would be sent and escalated and writes nothing.
    At most ``max_escalations`` events are escalated (None: all), oldest
    deadline first, and none is started after ``escalation_seconds`` of
    escalating (None: no limit); the rest are left for the next runs
    (``escalations_left``).
    """
    started = time.perf_counter()
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("the SLA scan needs a timezone-aware time")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    if max_escalations is not None and max_escalations < 0:
        raise ValueError("max_escalations cannot be negative")
    result = ScanResult(now=now, dry_run=dry_run)

    def timed(phase: str, work) -> None:
        t = time.perf_counter()
        work()
        result.phase_seconds[phase] = time.perf_counter() - t

    def claim(kind: str, select: _Select, send) -> None:
        notices, sent = _claim_and_notify(select, batch, send)
        setattr(result, kind, notices)
        result.notifications += sent

    if dry_run:
        result.announced = _count(_reported_select())
        result.reminders = _count(_due_soon_select(now))
        result.overdue = _count(_overdue_select(now))
        candidates = len(_escalation_candidates(now))
        cap = candidates if max_escalations is None else max_escalations
        result.escalated = min(candidates, cap)
        result.escalations_left = candidates - result.escalated
        result.report_in_overdue = _count(_report_in_select(now))
    else:
        timed("announcements", lambda: claim("announced", _reported_select(), _announce))
        timed("reminders", lambda: claim("reminders", _due_soon_select(now), _remind))
        timed("overdue", lambda: claim("overdue", _overdue_select(now), _tell_overdue))
        timed(
            "escalations",
            lambda: _escalate(now, result, max_escalations, escalation_seconds),
        )
        timed(
            "report-in",
            lambda: claim("report_in_overdue", _report_in_select(now), _tell_report_in_overdue),
        )
    result.seconds = time.perf_counter() - started
    return result


def announce_reports(*, batch: int = BATCH) -> ScanResult:
    """Step 0 alone: tell the dispatchers of every report not yet announced.

    What the task worker runs moments after reports come in; idempotent and
    safe beside a scan, like every step (each report's notice is claimed once).
    """
    started = time.perf_counter()
    result = ScanResult(now=timezone.now())
    result.announced, result.notifications = _claim_and_notify(_reported_select(), batch, _announce)
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------
# The candidates, as SQL: (select list, FROM … WHERE …, params, order column)


# The SQL below is put together from table names (``_meta``), fixed column
# names and placeholders only; every value travels as a parameter.


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _in(values) -> tuple[str, list]:
    values = list(values)
    return "(" + ", ".join(["%s"] * len(values)) + ")", [str(v) for v in values]


def _not_noticed(kind: str, event_col: str, deadline_col: str) -> tuple[str, list]:
    return (
        f"NOT EXISTS (SELECT 1 FROM {_t(SlaNotice)} n WHERE n.event_id = {event_col}"  # noqa: S608
        f" AND n.kind = %s AND n.deadline_at = {deadline_col})",
        [kind],
    )


@dataclass
class _Select:
    kind: str
    columns: str  # event id, deadline (in this order)
    body: str  # FROM … WHERE …
    params: list
    order: str
    distinct: bool = False


def _reported_select() -> _Select:
    # state = 'reported' is the leading column of the (state, deadline_at) index.
    noticed, np = _not_noticed(K.REPORTED, "e.id", "e.created_at")
    return _Select(
        K.REPORTED,
        "e.id, e.created_at",
        f"FROM {_t(Event)} e WHERE e.state = %s AND {noticed}",
        [Event.State.REPORTED, *np],
        "e.id",
    )


def _due_soon_select(now: datetime) -> _Select:
    states, sp = _in(CLOCK_STATES)
    noticed, np = _not_noticed(K.DUE_SOON, "e.id", "e.deadline_at")
    return _Select(
        K.DUE_SOON,
        "e.id, e.deadline_at",
        f"FROM {_t(Event)} e WHERE e.state IN {states} AND e.warn_at <= %s"
        f" AND e.deadline_at > %s AND {noticed}",
        [*sp, _dt(now), _dt(now), *np],
        "e.id",
    )


def _overdue_select(now: datetime) -> _Select:
    states, sp = _in(CLOCK_STATES)
    noticed, np = _not_noticed(K.OVERDUE, "e.id", "e.deadline_at")
    return _Select(
        K.OVERDUE,
        "e.id, e.deadline_at",
        f"FROM {_t(Event)} e WHERE e.state IN {states} AND e.deadline_at <= %s AND {noticed}",
        [*sp, _dt(now), *np],
        "e.id",
    )


def _report_in_select(now: datetime) -> _Select:
    closed, cp = _in(OPEN_EXCLUDED)
    noticed, np = _not_noticed(K.REPORT_IN_OVERDUE, "w.event_id", "s.due_at")
    return _Select(
        K.REPORT_IN_OVERDUE,
        "w.event_id, s.due_at",
        f"FROM {_t(WhistleSummons)} s JOIN {_t(Whistle)} w ON w.id = s.whistle_id"
        f" JOIN {_t(Event)} e ON e.id = w.event_id"
        f" WHERE s.reported_in_at IS NULL AND w.closed_at IS NULL AND s.due_at <= %s"
        f" AND e.state NOT IN {closed} AND {noticed}",
        [_dt(now), *cp, *np],
        "w.event_id",
        distinct=True,
    )


def _count(select: _Select) -> int:
    distinct = "DISTINCT " if select.distinct else ""
    sql = f"SELECT COUNT(*) FROM (SELECT {distinct}{select.columns} {select.body}) candidates"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, select.params)
        return cursor.fetchone()[0]


def _insert_claims(select: _Select, limit: int, after: int) -> list[tuple[int, int]]:
    """Insert up to ``limit`` notices for candidates past event ``after``.

    Returns (notice id, event id) of the rows *this* call inserted: a row
    another scan inserted first (committed, or committing: PostgreSQL waits
    for it) is skipped by ``ON CONFLICT DO NOTHING`` and not returned. Taken in
    one order (by event) so two scans never wait on each other in a cycle, and
    from the event where the last batch ended (inclusive: an event may have
    late summonses of two due times) so no batch reads the earlier ones again.
    """
    distinct = "DISTINCT " if select.distinct else ""
    sql = (
        f"INSERT INTO {_t(SlaNotice)} (event_id, deadline_at, kind, created_at)"
        f" SELECT {distinct}{select.columns}, %s, %s {select.body} AND {select.order} >= %s"
        f" ORDER BY {select.order} LIMIT %s"
        " ON CONFLICT DO NOTHING RETURNING id, event_id"
    )
    params = [select.kind, _dt(timezone.now()), *select.params, after, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _claim_and_notify(select: _Select, batch: int, send) -> tuple[int, int]:
    """Claim the candidates batch by batch; ``send`` notifies for each batch's new notices.

    Returns (notices inserted, notifications written). A batch whose claims
    all lost to another scan ends the loop: that scan is taking the rest.
    """
    notices = notifications = 0
    after = 0
    while True:
        with transaction.atomic():
            claimed = _insert_claims(select, batch, after)
            if not claimed:
                break
            ids = [notice for notice, _event in claimed]
            rows = list(SlaNotice.objects.filter(pk__in=ids).values_list("event_id", "deadline_at"))
            notifications += send(rows)
        notices += len(ids)
        after = max(event for _notice, event in claimed)
    return notices, notifications


# ---------------------------------------------------------------------------
# Recipients, looked up once per batch (the same people as recipients.handler_users,
# dispatcher_users and department_users, for many events at once)


EVENT_FIELDS = (
    "pk",
    "created_at",
    "description",
    "category__name",
    "state",
    "deadline_at",
    "handler_kind",
    "handler_user_id",
    "handler_area_id",
    "handler_department_id",
    "owner_area_id",
    "owner_path",
    "submitted_by_id",
)


def _events(ids) -> dict[int, dict]:
    return {r["pk"]: r for r in Event.objects.filter(pk__in=list(ids)).values(*EVENT_FIELDS)}


# ---------------------------------------------------------------------------
# Messages


@dataclass
class _Message:
    event_id: int
    kind: str
    title: str
    body: str
    recipients: set[int]


def _wording() -> dict:
    """The notices' words, in the platform's language: recipients read them later, anywhere."""
    with override(settings.LANGUAGE_CODE):
        return {
            "title": _("Event %(number)s (%(category)s): %(what)s"),
            K.REPORTED: (
                _("new report to register"),
                _("Reported at %(deadline)s; waiting to be registered."),
            ),
            K.DUE_SOON: (
                _("deadline approaching"),
                _("Due by %(deadline)s: 80%% of the working time is used."),
            ),
            K.OVERDUE: (_("overdue"), _("Not handled by the deadline, %(deadline)s.")),
            K.REPORT_IN_OVERDUE: (
                _("report-in overdue"),
                _("Not reported in by %(deadline)s: %(departments)s."),
            ),
        }


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _message(wording: dict, kind: str, event: dict, deadline, recipients, **extra) -> _Message:
    what, text = wording[kind]
    # Event.number's one definition, without building a whole Event per row.
    number = Event.number.fget(SimpleNamespace(pk=event["pk"], created_at=event["created_at"]))
    title = wording["title"] % {
        "number": number,
        "category": event["category__name"],
        "what": what,
    }
    body = text % {"deadline": _local(deadline), **extra}
    return _Message(event["pk"], kind, title, f"{body}\n{event['description'][:200]}", recipients)


def _write(messages: list[_Message]) -> int:
    """Publish the messages (``core.notices``): the notifications app writes them in
    bulk, in this transaction, and enqueues their delivery after the commit."""
    return publish_notices(
        Notice(
            recipients=m.recipients,
            kind=f"event.{m.kind}",
            title=m.title,
            body=m.body,
            url=f"/events/{m.event_id}/",
            subject_model=Event,
            subject_id=m.event_id,
        )
        for m in messages
    )


def _announce(rows: list[tuple[int, datetime]]) -> int:
    events = _events(e for e, _d in rows)
    dispatchers = recipients.dispatchers(list(events.values()))
    wording = _wording()
    return _write(
        [
            _message(
                wording,
                K.REPORTED,
                events[event_id],
                reported_at,
                # Not the one who reported it: a grid worker's own patrol report.
                dispatchers[event_id] - {events[event_id]["submitted_by_id"]},
            )
            for event_id, reported_at in rows
        ]
    )


def _remind(rows: list[tuple[int, datetime]]) -> int:
    events = _events(e for e, _d in rows)
    handlers = recipients.handlers(list(events.values()))
    wording = _wording()
    return _write(
        [
            _message(wording, K.DUE_SOON, events[event_id], deadline, handlers[event_id])
            for event_id, deadline in rows
        ]
    )


def _tell_overdue(rows: list[tuple[int, datetime]]) -> int:
    # A deadline passing moves the KPIs (due, overdue) without a step: refresh the facts.
    Event.objects.filter(pk__in=[e for e, _d in rows]).update(stats_stale=True)
    hooks.facts_moved()
    events = _events(e for e, _d in rows)
    listed = list(events.values())
    handlers, dispatchers = recipients.handlers(listed), recipients.dispatchers(listed)
    wording = _wording()
    return _write(
        [
            _message(
                wording,
                K.OVERDUE,
                events[event_id],
                deadline,
                handlers[event_id] | dispatchers[event_id],
            )
            for event_id, deadline in rows
        ]
    )


def _tell_report_in_overdue(rows: list[tuple[int, datetime]]) -> int:
    events = _events(e for e, _d in rows)
    wanted = set(rows)
    late: dict[tuple[int, datetime], list[tuple[int, str, int]]] = defaultdict(list)
    for event_id, due_at, dept_id, dept_name, blown_by in (
        WhistleSummons.objects.filter(
            whistle__event_id__in=list(events),
            whistle__closed_at__isnull=True,
            reported_in_at__isnull=True,
        )
        .order_by("department__name", "pk")
        .values_list(
            "whistle__event_id", "due_at", "department_id", "department__name",
            "whistle__blown_by_id",
        )
    ):  # fmt: skip
        if (event_id, due_at) in wanted:
            late[(event_id, due_at)].append((dept_id, dept_name, blown_by))
    staff = recipients.department_staff({d for ss in late.values() for d, _n, _b in ss})
    wording = _wording()
    messages = []
    for key in rows:
        summonses = late.get(key)
        if not summonses:  # reported in between the claim and this read
            continue
        to_tell = {blown_by for _d, _n, blown_by in summonses}
        for dept_id, _n, _b in summonses:
            to_tell |= staff.get(dept_id, set())
        departments = "、".join(dict.fromkeys(n for _d, n, _b in summonses))
        messages.append(
            _message(
                wording,
                K.REPORT_IN_OVERDUE,
                events[key[0]],
                key[1],
                to_tell,
                departments=departments,
            )
        )
    return _write(messages)


# ---------------------------------------------------------------------------
# Escalations: one real transition each


def _escalation_candidates(now: datetime) -> list[tuple[int, int, datetime]]:
    """(id, version, deadline) of overdue events to escalate, oldest deadline first."""
    from django.db.models import Exists, OuterRef

    escalating = Category.objects.filter(escalate_when_overdue=True).values("pk")
    already = SlaNotice.objects.filter(
        event=OuterRef("pk"), kind=K.ESCALATED, deadline_at=OuterRef("deadline_at")
    )
    return list(
        Event.objects.filter(
            state__in=CLOCK_STATES, deadline_at__lte=now, category_id__in=escalating
        )
        # The district holds it already: no level above to escalate to (it got the
        # overdue notice as the holding level).
        .exclude(owner_area__level=c.DISTRICT)
        .exclude(Exists(already))
        .order_by("deadline_at", "pk")
        .values_list("pk", "version", "deadline_at")
    )


def _claim_one(event_id: int, deadline: datetime) -> bool:
    sql = (
        f"INSERT INTO {_t(SlaNotice)} (event_id, kind, deadline_at, created_at)"  # noqa: S608
        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event_id, K.ESCALATED, _dt(deadline), _dt(timezone.now())])
        return cursor.fetchone() is not None


def _escalate(now: datetime, result: ScanResult, limit: int | None, seconds: float | None) -> None:
    """Escalate each candidate in its own transaction: claim, then ``perform``.

    A ``Conflict`` (someone acted since the candidates were read) or
    ``NotAllowed`` (the event left the clock states) rolls the claim back with
    the transition: the event is skipped this round and reconsidered next run.
    After ``limit`` attempts, or ``seconds``, the rest waits for the next run.
    """
    wording = _wording()
    started = time.perf_counter()
    candidates = _escalation_candidates(now)
    attempts = 0
    for i, (event_id, version, deadline) in enumerate(candidates):
        if (limit is not None and attempts >= limit) or (
            seconds is not None and time.perf_counter() - started >= seconds
        ):
            result.escalations_left = len(candidates) - i
            break
        reason = wording[K.OVERDUE][1] % {"deadline": _local(deadline)}
        try:
            with transaction.atomic():
                if not _claim_one(event_id, deadline):
                    continue  # another scan escalated it
                attempts += 1
                services.perform(
                    actor=None,
                    event=Event(pk=event_id, version=version),
                    action="escalate_overdue",
                    reason=reason,
                    expected_version=version,
                    at=now,
                )
        except EventError as exc:
            result.skipped += 1
            result.skipped_events.append(event_id)
            logger.info("SLA scan: event %s not escalated this round: %s", event_id, exc)
        except Exception:
            result.failed += 1
            logger.exception("SLA scan: escalating event %s failed", event_id)
        else:
            result.escalated += 1
