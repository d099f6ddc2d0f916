"""The life of one event: its steps, each yielded when due."""

from __future__ import annotations

import datetime as dt
import random

from shezhi.events.models import Event, WhistleSummons

from .cast import Cast
from .clock import Clock
from .plans import Act, Life, Plan, Report
from .words import (
    DEFER_REASONS,
    ESCALATE_REASONS,
    RATING_COMMENTS,
    REOPEN_REASONS,
    REPORT_IN_NOTES,
    RESULTS,
    RETURN_REASONS,
    REWORK_REASONS,
    STREET_REASONS,
    VOID_REASONS,
    WHISTLE_REASONS,
)


def _pick(rng: random.Random, options):
    return options[rng.randrange(len(options))]


def _target(kind: str, department: str) -> dict:
    if kind == "department":
        return {"target": "department", "department": department}
    return {"target": kind}


def _life(p: Plan, cast: Cast, clock: Clock, rng: random.Random) -> Life:
    """The steps of one event, each yielded when due; receives the event after each."""
    area = p.area
    grid_user = cast.grid_worker[area.code[:15]]
    worker = cast.worker[area.code]
    staff = cast.community[area.code[:12]]
    resident = p.submitter if p.source == Event.Source.RESIDENT else None
    results = RESULTS[p.code[:2]]

    def handler_of(kind: str, department: str):
        return {"department": cast.dept.get(department), "community": staff}.get(kind, worker)

    def awake_or_work(actor, t, lo, hi):
        return clock.awake(t, lo, hi) if actor is worker else clock.work(t, lo, hi)

    ev = yield Report(p.at, p)
    t = p.at
    if p.void:
        t = clock.work(t, 15, 240)
        yield Act(t, p, staff, "void", _pick(rng, VOID_REASONS[p.void]), {"void_kind": p.void})
        return
    if p.master is not None:
        t = clock.work(t, 15, 240)
        data = {"master": p.master.event.pk}
        ev = yield Act(t, p, staff, "merge", "与已受理事件重复", data, optional=True)
        if ev is None:  # the master was voided meanwhile: a duplicate of nothing valid
            yield Act(t, p, staff, "void", "与已受理事件重复", {"void_kind": "duplicate"})
        return
    if p.stop == "reported":
        return

    # Register (立案): the grid registers what it keeps (小事不出网格), the community the rest.
    if p.grid_registers:
        registrar = p.submitter if p.source == Event.Source.PATROL else grid_user
        t = clock.awake(t, 2, 25)
    else:
        registrar = staff
        t = clock.work(t, 5, 120)
    ev = yield Act(t, p, registrar, "register")
    dispatcher = staff
    for level in range(p.escalate):
        t = clock.work(t, 10, 180)
        reason = _pick(rng, ESCALATE_REASONS if level == 0 else STREET_REASONS)
        ev = yield Act(t, p, dispatcher, "escalate", reason)
        dispatcher = cast.dispatcher(ev.owner_area)
    if p.stop == "registered":
        return

    # Whistle (吹哨) and report-in (报到), or dispatch (派遣).
    if p.whistle:
        t = clock.work(t, 10, 120)
        data = {"departments": p.whistle}
        ev = yield Act(t, p, dispatcher, "whistle", _pick(rng, WHISTLE_REASONS), data)
        arrivals = sorted(
            (
                t + dt.timedelta(minutes=rng.uniform(35, 90) if code in p.late_report_in
                                 else rng.uniform(4, 27)),
                code,
            )
            for code in p.whistle
            if code not in p.silent
        )  # fmt: skip
        for at, code in arrivals:
            data = {"note": _pick(rng, REPORT_IN_NOTES)}
            ev = yield Act(at, p, cast.dept[code], "report_in", "", data)
        t = arrivals[-1][0] if arrivals else t
        if p.stop == "summoned":
            return
        handler = cast.dept[p.whistle[0]]
        goes_to = ("department", p.whistle[0])
    else:
        by = registrar if p.grid_registers and not p.escalate else dispatcher
        t = clock.awake(t, 1, 15) if by is not staff else clock.work(t, 3, 60)
        goes_to = (p.target, p.department)
        ev = yield Act(t, p, by, "dispatch", "", _target(*goes_to))
        handler = handler_of(*goes_to)
    if p.stop == "dispatched":
        return

    # A department may send it back as not theirs (推诿); it goes again.
    if p.bounce is not None and p.target == "department" and not p.whistle:
        t = clock.work(t, 20, 300)
        ev = yield Act(t, p, handler, "return", _pick(rng, RETURN_REASONS))
        if p.stop == "returned":
            return
        t = clock.work(t, 10, 120)
        goes_to = p.bounce
        ev = yield Act(t, p, dispatcher, "dispatch", "", _target(*goes_to))
        handler = handler_of(*goes_to)
    t = awake_or_work(handler, t, 3, 90)
    ev = yield Act(t, p, handler, "accept")
    if p.stop == "accepted":
        return

    # Deferral (缓办), approved or refused by the dispatcher.
    if p.defer:
        t = awake_or_work(handler, t, 20, 240)
        ev = yield Act(t, p, handler, "request_deferral", _pick(rng, DEFER_REASONS))
        if p.stop == "deferral_requested":
            return
        t = clock.work(t, 30, 420)
        if p.defer == "approve":
            ev = yield Act(t, p, dispatcher, "approve_deferral")
            if p.stop == "deferred":
                return
            t = clock.work(t, 60 * 7 * 3, 60 * 7 * 15)
            ev = yield Act(t, p, handler, "resume")
        else:
            ev = yield Act(t, p, dispatcher, "reject_deferral", "请按期处置，确有困难可申请吹哨")

    # Handle, verify (核查), rework (返工) once when the check fails, close.
    wanted = {"reporter": resident, "dispatcher": dispatcher}.get(p.verifier) or grid_user
    verifier = next(v for v in (wanted, grid_user, dispatcher) if v is not handler)

    def verify_time(t):
        return clock.awake(t, 30, 60 * 20) if verifier is resident else clock.work(t, 20, 300)

    t = clock.handle(t, ev, late=p.late)
    ev = yield Act(t, p, handler, "handle", "", {"result": _pick(rng, results)})
    if p.stop == "handled":
        return
    t = verify_time(t)
    if p.rework:
        ev = yield Act(t, p, verifier, "verify_fail", _pick(rng, REWORK_REASONS))
        t = awake_or_work(handler, t, 60, 600)
        ev = yield Act(
            t, p, handler, "handle", "", {"result": "已按要求返工：" + _pick(rng, results)}
        )
        t = verify_time(t)
    ev = yield Act(t, p, verifier, "verify_pass")
    closed = t
    if p.whistle:  # the whistle-blower rates each department's response
        for s in WhistleSummons.objects.filter(whistle__event=ev).order_by("pk"):
            t = clock.work(t, 10, 600)
            score = _pick(rng, (4, 4, 4, 3, 3, 2) if s.on_time else (3, 2, 2, 1))
            ev = yield Act(t, p, dispatcher, "rate_whistle", "", {"summons": s.pk, "rating": score})
    if p.stop == "closed" or resident is None:
        return

    # The reporter rates it (满意度), and may reopen it first.
    if p.reopen:
        t = clock.awake(closed, 60, 60 * 20)
        data = {"rating": "unsatisfied", "comment": _pick(rng, RATING_COMMENTS["unsatisfied"])}
        ev = yield Act(t, p, resident, "rate", "", data)
        t = clock.awake(t, 60, 60 * 48)
        ev = yield Act(t, p, resident, "reopen", _pick(rng, REOPEN_REASONS))
        t = clock.work(t, 10, 120)
        ev = yield Act(t, p, dispatcher, "dispatch", "", _target(*goes_to))
        t = awake_or_work(handler, t, 3, 90)
        ev = yield Act(t, p, handler, "accept")
        t = clock.handle(t, ev, late=False)
        ev = yield Act(t, p, handler, "handle", "", {"result": "再次处置：" + _pick(rng, results)})
        t = clock.awake(t, 30, 60 * 20)
        ev = yield Act(t, p, resident, "verify_pass")
        closed = t
    if p.rating:
        t = clock.awake(closed, 30, 60 * 30)
        data = {"rating": p.rating, "comment": _pick(rng, RATING_COMMENTS[p.rating])}
        yield Act(t, p, resident, "rate", "", data)


def _me_too(p: Plan, user, at: dt.datetime) -> Life:
    yield Act(at, p, user, "me_too", optional=True)
