"""Running it: every event's steps replayed in the order of their moments."""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.errors import EventError
from shezhi.events import services
from shezhi.events.models import Event
from shezhi.notifications.models import Notification
from shezhi.people.models import Department

from .cast import Cast
from .clock import Clock, demo_end
from .figures import DISTRICT_CODE, N_EVENTS, SEED
from .lives import _life, _me_too
from .planner import Planner
from .plans import Life, Report, Step
from .showcase import SHOWCASE, _showcase


@dataclass
class Outcome:
    events: int
    steps: int
    users: int
    states: dict[str, int]
    year: tuple[dt.date, dt.date]  # the demo's year: first and last day


class Simulation:
    """Replays every event's steps in the order of their moments, up to ``end``."""

    def __init__(self, end: dt.datetime, progress: Callable[[int, int], None] | None, categories):
        self.end = end
        self.categories = categories  # code → Category (saves report_event a look-up)
        self.heap: list = []
        self.seq = 0
        self.progress = progress
        self.steps = 0
        # The real time each step started, and its simulated moment.
        self.started: list[dt.datetime] = []
        self.moments: list[dt.datetime] = []

    def add(self, life: Life) -> None:
        self._push(life, next(life))

    def _push(self, life: Life, step: Step) -> None:
        p = step.plan
        if step.at > self.end:
            if not (p.pinned and p.last_at):
                return  # later than now: it has not happened (yet)
            step.at = p.last_at + (self.end - p.last_at) / 2
        self.seq += 1
        heapq.heappush(self.heap, (step.at, self.seq, life, step))

    def run(self, expected: int) -> None:
        while self.heap:
            _, _, life, step = heapq.heappop(self.heap)
            self.started.append(timezone.now())
            self.moments.append(step.at)
            result = self._take(step)
            self.steps += 1
            if self.progress and self.steps % 250 == 0:
                self.progress(min(self.steps, expected), expected)
            try:
                nxt = life.send(result)
            except StopIteration:
                continue
            self._push(life, nxt)

    def _take(self, step: Step) -> Event | None:
        p = step.plan
        p.last_at = step.at
        if isinstance(step, Report):
            p.event = services.report_event(
                submitted_by=p.submitter,
                source=p.source,
                category=self.categories.get(p.code, p.code),
                description=p.description,
                lng=p.lng,
                lat=p.lat,
                address=p.address,
                anonymous=p.anonymous,
                contact_name=p.contact[0],
                contact_phone=p.contact[1],
                at=step.at,
            ).event
            return p.event
        try:
            p.event = services.perform(
                actor=step.actor,
                event=p.event,
                action=step.action,
                reason=step.reason,
                data=step.data,
                at=step.at,
            )
        except EventError as exc:
            if step.optional:
                return None
            ev = p.event
            raise RuntimeError(  # a bug in the demo's script, never a user's error
                f"demo step {step.action!r} by {step.actor} on event {ev.pk} "
                f"({p.code} {p.source}, {ev.state}, handler {ev.handler_kind} "
                f"{ev.handler_user_id or ev.handler_department_id or ev.handler_area_id}, "
                f"owner {ev.owner_area.code}): {exc.message}"
            ) from exc
        if step.action == "merge":  # the merge moved the master's version on
            p.master.event.refresh_from_db(fields=["version", "me_too_count"])
        return p.event


def build_demo_events(
    *, seed: int = SEED, now: dt.datetime | None = None, progress=None
) -> Outcome | None:
    """Build the year of history unless the demo district already has events; None then."""
    district = Area.objects.filter(code=DISTRICT_CODE).first()
    if district is None or not Department.objects.filter(district=district).exists():
        return None
    if Event.objects.filter(area_path__startswith=district.path).exists():
        return None

    rng = random.Random(seed)
    end = demo_end(now or timezone.now())
    # The history's notifications are not sent on any channel (a year of SMS at
    # once helps nobody): they sit in the notification centre, dated when
    # their steps happened (_date_notifications).
    no_delivery = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=no_delivery), transaction.atomic():
        last_notification = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
        cast = Cast(district, rng)
        planner = Planner(cast, rng, end)
        drafts = planner.drafts(N_EVENTS)
        micro = {d.area.code for d in drafts} | {h.code for h in planner.homes}
        micro |= {s.area for s in SHOWCASE}
        users = cast.build(micro, planner.homes)
        plans = [planner.plan(d) for d in drafts]
        planner.unfinished(plans)
        plans += planner.duplicates(plans)
        plans += [_showcase(planner, spec) for spec in SHOWCASE]
        plans = planner.calibrate(plans)
        plans.sort(key=lambda p: p.at)
        clock = Clock(rng)
        sim = Simulation(end, progress, planner.categories)
        for n, p in enumerate(plans):
            p.n = n
            sim.add(_life(p, cast, clock, rng))
            for user, at in p.me_too:
                sim.add(_me_too(p, user, at))
        sim.run(expected=len(plans) * 7)
        _date_notifications(last_notification, end, sim)
        states = Counter(
            Event.objects.filter(area_path__startswith=district.path).values_list(
                "state", flat=True
            )
        )
    if progress:
        # Done: the bar ends at the steps taken (planned was an estimate), not at "1/1".
        progress(sim.steps, sim.steps)
    return Outcome(
        events=len(plans), steps=sim.steps, users=users, states=dict(states), year=planner.year
    )


# ---------------------------------------------------------------------------
# Notifications: dated when their steps happened, the old ones read


def _date_notifications(after_pk: int, end: dt.datetime, sim: Simulation) -> None:
    """Give the history's notifications the moments of the steps that made them.

    ``notify`` stamps a notification with the real time it was made, which falls
    between the real start of its step and of the next one (``sim.started``).
    Notifications more than three days old are marked read, as their readers
    would have.
    """
    adapt = connection.ops.adapt_datetimefield_value
    read_before = end - dt.timedelta(days=3)
    changed = []
    for pk, stamp in Notification.objects.filter(pk__gt=after_pk).values_list("pk", "created_at"):
        i = bisect.bisect_right(sim.started, stamp) - 1
        if i < 0:
            continue
        at = sim.moments[i]
        read = at + dt.timedelta(hours=2) if at < read_before else None
        changed.append((adapt(at), adapt(read), pk))
    # One prepared statement for all (bulk_update's CASE over thousands of rows is slow).
    meta = Notification._meta
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608 (names only)
        quote(meta.db_table),
        quote(meta.get_field("created_at").column),
        quote(meta.get_field("read_at").column),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, changed)
