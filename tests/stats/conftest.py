"""The event loop's cast, and a month of hand-built history with known KPIs."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shezhi.events import services as events
from shezhi.events.models import Event
from shezhi.stats import kpis as k
from shezhi.stats import services
from tests.events.conftest import act, actors, report  # noqa: F401  (actors: a fixture)

TZ = ZoneInfo("Asia/Shanghai")
MARCH = k.Period(date(2026, 3, 1), date(2026, 4, 1))
FEBRUARY = k.Period(date(2026, 2, 1), date(2026, 3, 1))


def t(day: str, hm: str) -> datetime:
    """2026-03-02 (a Monday; working hours 09:00–12:00, 13:30–17:30) and the like."""
    return datetime.fromisoformat(f"2026-{day}T{hm}").replace(tzinfo=TZ)


def step(actor, event, action, at, **data):
    reason = data.pop("reason", "理由")
    return act(actor, event, action, at=at, reason=reason, data=data)


def dispatched(a, at_day="03-02", reported="09:00", dispatch="09:20", accept="09:30", **kw):
    event = report(a.resident, at=t(at_day, reported), **kw)
    step(a.community, event, "register", t(at_day, "09:10"))
    event = step(a.community, event, "dispatch", t(at_day, dispatch), target="worker")
    if accept:
        event = step(a.mg_worker, event, "accept", t(at_day, accept))
    return event


def closed(a, event, handle_at, verify_at, rating=None):
    event = step(a.mg_worker, event, "handle", handle_at, result="已处理")
    event = step(a.resident, event, "verify_pass", verify_at)
    if rating:
        event = step(a.resident, event, "rate", verify_at.replace(minute=verify_at.minute + 1),
                     rating=rating)  # fmt: skip
    return event


@pytest.fixture
def history(actors, time_machine):  # noqa: F811  (actors: the fixture imported above)
    a = actors
    # A: closed within its 4 working hours (1 h of handling), rated satisfied.
    ev_a = dispatched(a, accept="09:50")
    closed(a, ev_a, t("03-02", "10:20"), t("03-02", "10:30"), "satisfied")
    # B: reworked twice, closed, rated unsatisfied, reopened, closed again by the same
    #    worker (30 min after the second dispatch), rated satisfied.
    ev_b = dispatched(a, point=(104.021, 30.62))
    for handle, fail in (("09:40", "09:45"), ("09:50", "09:55")):
        step(a.mg_worker, ev_b, "handle", t("03-02", handle), result="处理")
        ev_b = step(a.resident, ev_b, "verify_fail", t("03-02", fail))
    ev_b = closed(a, ev_b, t("03-02", "10:00"), t("03-02", "10:05"), "unsatisfied")
    step(a.resident, ev_b, "reopen", t("03-02", "10:15"))
    ev_b = step(a.community, ev_b, "dispatch", t("03-02", "10:20"), target="worker")
    step(a.mg_worker, ev_b, "accept", t("03-02", "10:25"))
    closed(a, ev_b, t("03-02", "10:50"), t("03-02", "10:55"), "satisfied")
    # C: deferred with approval: not due to close, though its deadline has passed.
    ev_c = dispatched(a, point=(104.022, 30.62))
    step(a.mg_worker, ev_c, "request_deferral", t("03-02", "09:40"))
    step(a.community, ev_c, "approve_deferral", t("03-02", "09:50"))
    # D: accepted and left open past its deadline (14:50).
    dispatched(a, point=(104.023, 30.62))
    # E: whistled (so not solved inside the grid), handled at 16:00, 70 working minutes
    #    late: 5 h 10 min of handling; rated basically satisfied.
    ev_e = dispatched(a, point=(104.024, 30.62))
    step(a.community, ev_e, "whistle", t("03-02", "09:35"), departments=["cg"])
    step(a.dept_cg, ev_e, "report_in", t("03-02", "09:50"))
    closed(a, Event.objects.get(pk=ev_e.pk), t("03-02", "16:00"), t("03-02", "16:10"),
           "basically_satisfied")  # fmt: skip
    # F: the next day, in emergency mode (2 working hours): handled at 11:40, late,
    #    although the normal deadline had not passed; rated unsatisfied.
    period = events.start_emergency(
        actor=a.street, area=a.street.role_assignments.get().area, reason="暴雨",
        at=t("03-03", "08:00"),
    )  # fmt: skip
    ev_f = dispatched(a, at_day="03-03", point=(104.025, 30.62))
    events.end_emergency(actor=a.street, period=period, at=t("03-03", "09:25"))
    closed(a, ev_f, t("03-03", "11:40"), t("03-03", "11:50"), "unsatisfied")
    # G: reported on Friday 27 February, handled on Monday 2 March: February's cohort.
    #    Saturday 28 February 2026 is a working day (调休 after the Spring Festival), so its
    #    deadline was Saturday 11:40 and the handling took 8 h 50 min: late.
    ev_g = dispatched(a, at_day="02-27", reported="16:00", dispatch="16:10", accept="16:20",
                      point=(104.026, 30.62))  # fmt: skip
    closed(a, ev_g, t("03-02", "09:30"), t("03-02", "09:40"))
    # H: voided as invalid.
    ev_h = report(a.resident, at=t("03-02", "09:00"), point=(104.027, 30.62))
    step(a.community, ev_h, "void", t("03-02", "09:10"), void_kind="invalid")
    # I: dispatched to a department that sent it back (a bounce, answered in 20 min),
    #    then to the micro-grid's worker (a re-dispatch to another handler); its
    #    deadline (15:20) has passed by the time the facts are read.
    ev_i = report(a.resident, at=t("03-02", "09:00"), point=(104.028, 30.62))
    step(a.community, ev_i, "register", t("03-02", "09:10"))
    step(a.community, ev_i, "dispatch", t("03-02", "09:20"), target="department", department="cg")
    step(a.dept_cg, ev_i, "return", t("03-02", "09:40"))
    ev_i = step(a.community, ev_i, "dispatch", t("03-02", "09:50"), target="worker")
    step(a.mg_worker, ev_i, "accept", t("03-02", "10:00"))

    time_machine.move_to(t("03-03", "13:00"), tick=False)
    services.sync_facts()
    return a
