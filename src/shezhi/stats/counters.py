"""The counters every KPI is a ratio of: one definition, per event, summed anywhere.

``counts(event, steps, now)`` reads an event and its history (each step's facts,
``events.facts``) and says what it
contributes (0 or 1 for most counters, a number for ``bounces`` and
``handling_seconds``). An ``EventFact`` row stores those numbers for one event
and a ``DailyRollup`` row their sums for one community and day, under the same
column names (``COUNTERS``), so a KPI over a district (sums of rollups) and over
a grid (sums of facts) add up the same numbers. ``stats.kpis`` turns totals
into rates.

The event's state is taken **as of now** (the latest history): a past month's
cohort gains its closings and ratings as they happen. The cohort of a period
is the events *reported* in it.

An on-the-spot handling (当场处置, ``events.spot``) is read from its history like
any other: registered, dispatched to a micro-grid worker, answered and handled at
once (0 working seconds), closed on time and inside the micro-grid; one drawn for
the community's spot check closes (or is reworked) when the community verifies it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from shezhi.events.facts import Facts
from shezhi.events.models import Event

S = Event.State

# Handling-time bands, upper bounds in working hours; the last band is open.
BAND_HOURS: tuple[float, ...] = (
    0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 40, 56, 80, 120, 160, 240, float("inf"),
)  # fmt: skip
BANDS = tuple(f"band_{i:02d}" for i in range(len(BAND_HOURS)))

COUNTERS: tuple[str, ...] = (
    "reported",  # every event of the cohort
    "registered",  # registered (立案), directly or by being dispatched
    "voided",  # voided as invalid or a duplicate, or merged into another event
    "dispatched",  # dispatched at least once
    "handled",  # a handler reported a result at least once
    # due to close: registered, neither voided nor deferred now, and closed or past its deadline
    "due",
    "closed",  # closed now
    "on_time",  # closed, and the handling that closed it was reported by its deadline
    "overdue",  # due and not on time: closed late, or open past its deadline
    "reworked",  # a verification failed at least once (返工)
    "accurate",  # dispatched and never re-dispatched to another handler
    "bounces",  # times a department sent it back as not theirs (推诿)
    "responded",  # dispatched, and the handler answered (accepted or sent back) in time
    "rated",  # rated by the reporter (the latest rating counts)
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "resolved",  # closed and never reopened
    "in_grid",  # closed, handled only by micro-grid workers, never escalated or whistled
    "emergency",  # handled under emergency deadlines
    "handling_count",  # closed with a known handling time
    "handling_seconds",  # that handling time, in working seconds (sum)
    *BANDS,  # that handling time's band (one of them)
)


LEAVES_THE_GRID = frozenset({"escalate", "escalate_overdue", "whistle"})


def response_seconds() -> float:
    """How soon a handler must answer a dispatch to count as responding (working time)."""
    return float(getattr(settings, "SHEZHI_KPI_RESPONSE_HOURS", 2)) * 3600


def band_of(seconds: float) -> str:
    hours = seconds / 3600
    for name, upper in zip(BANDS, BAND_HOURS, strict=True):
        if hours < upper:
            return name
    return BANDS[-1]


def counts(event: Event, steps: list[Facts], now: datetime) -> dict[str, int]:
    """What ``event`` contributes to each counter; ``steps``: its history's facts
    (``events.facts.facts``), in order."""
    c = dict.fromkeys(COUNTERS, 0)
    c["reported"] = 1
    state = event.state
    voided = state in (S.VOIDED, S.MERGED)
    registered = event.registered_at is not None
    closed = state == S.CLOSED
    c["registered"] = int(registered)
    c["voided"] = int(voided)
    c["dispatched"] = int(event.dispatch_count > 0)
    c["handled"] = int(any(step.action == "handle" for step in steps))
    c["closed"] = int(closed)

    last_handle = None
    first_answer = None
    only_workers = True
    for step in steps:
        action = step.action
        if action == "handle":
            last_handle = step
        elif action in ("accept", "return") and first_answer is None:
            first_answer = step
        elif action in LEAVES_THE_GRID or (
            action == "dispatch" and step.handler_kind != Event.HandlerKind.WORKER
        ):
            only_workers = False
    on_time = closed and last_handle is not None and last_handle.within_deadline
    past_deadline = event.deadline_at is not None and event.deadline_at <= now
    due = registered and not voided and state != S.DEFERRED and (closed or past_deadline)
    c["due"] = int(due)
    c["on_time"] = int(on_time)
    c["overdue"] = int(due and not on_time)
    c["reworked"] = int(event.rework_count > 0)
    c["accurate"] = int(event.dispatch_count > 0 and event.redispatch_count == 0)
    c["bounces"] = int(event.bounce_count)
    answered = first_answer.response_seconds if first_answer else None
    c["responded"] = int(answered is not None and answered <= response_seconds())
    rating = event.rating
    c["rated"] = int(bool(rating))
    c["satisfied"] = int(rating == Event.Rating.SATISFIED)
    c["basically_satisfied"] = int(rating == Event.Rating.BASICALLY_SATISFIED)
    c["unsatisfied"] = int(rating == Event.Rating.UNSATISFIED)
    c["resolved"] = int(closed and event.reopen_count == 0)
    c["in_grid"] = int(closed and event.dispatch_count > 0 and only_workers)
    c["emergency"] = int(event.emergency)
    seconds = last_handle.working_seconds if (closed and last_handle) else None
    if seconds is not None:
        c["handling_count"] = 1
        c["handling_seconds"] = int(seconds)
        c[band_of(seconds)] = 1
    return c
