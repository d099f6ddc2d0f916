"""Showcase: what each demo sign-in finds waiting right after ``shezhi demo``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shezhi.core import calendar
from shezhi.events.models import Event

from .figures import DEMO_MICRO
from .planner import Draft, Planner
from .plans import Plan


@dataclass(frozen=True)
class Spec:
    hours_ago: float
    source: str
    code: str
    stop: str
    target: str = "worker"
    department: str = ""
    area: str = DEMO_MICRO
    fate: tuple[str, ...] = ()


R, P, H = Event.Source.RESIDENT, Event.Source.PATROL, Event.Source.HOTLINE
# When (working hours before now) each was reported, and where it stops.
SHOWCASE = (
    # grid_worker and community_staff: to register; resident: my reports
    Spec(3, R, "0101", "reported"),
    Spec(10, R, "1302", "registered", target="community"),  # to dispatch
    Spec(2, P, "0403", "dispatched"),  # mg_worker: a new task (green)
    Spec(14, R, "0404", "accepted"),  # mg_worker: being handled, overdue (red)
    Spec(20, R, "1501", "handled", fate=("verify:reporter",)),  # to verify
    Spec(12, R, "0101", "closed"),  # the resident may rate it
    Spec(200, R, "1403", "", fate=("rating:satisfied",)),  # closed and rated
    Spec(12, R, "1603", "accepted", target="department", department="cg"),  # dept_cg
    Spec(1.5, H, "0402", "dispatched", target="department", department="cg"),  # dept_cg
    # dept_cg must report in (吹哨报到); gaj has
    Spec(0.6, P, "0303", "summoned", target="department", department="cg",
         area="510113001001001002", fate=("whistle:cg,gaj", "silent:cg")),
    # dept_zj must report in; cg has
    Spec(7, P, "0302", "summoned", target="department", department="zj",
         area="510113001001002001", fate=("whistle:zj,cg", "silent:zj")),
    # community_staff: returned by a department
    Spec(16, R, "1402", "returned", target="department", department="yjgl",
         fate=("bounce:department,zj",)),
    # community_staff: a deferral to approve (dept_zj asked)
    Spec(22, P, "1602", "deferral_requested", target="department", department="zj",
         area="510113001001001003", fate=("defer:approve",)),
    # dawan_staff: escalated to the street, to dispatch
    Spec(18, P, "1103", "registered", target="department", department="zj",
         area="510113001001003001", fate=("escalate:2",)),
    # community_staff handles it as the community
    Spec(8, H, "1101", "accepted", target="community", area="510113001001002002"),
    # History: the resident reopened one (and then was content); a deferral refused.
    Spec(150, R, "1501", "", fate=("reopen", "rating:basically_satisfied")),
    Spec(170, P, "1602", "", target="department", department="zj",
         area="510113001001001004", fate=("defer:reject",)),
)  # fmt: skip


def _working_ago(end: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` of working time before ``end``."""
    lo = end - dt.timedelta(hours=hours * 4 + 24 * 12)  # covers any run of days off
    hi = end
    for _ in range(40):
        mid = lo + (hi - lo) / 2
        if calendar.working_seconds_between(mid, end) > hours * 3600:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def _showcase(planner: Planner, spec: Spec) -> Plan:
    cast = planner.cast
    area = cast.area(spec.area)
    ((lng, lat, area),) = planner.points_in([area])
    at = _working_ago(planner.end, spec.hours_ago)
    submitter = None
    resident = None
    if spec.source == Event.Source.PATROL:
        submitter = cast.worker.get(area.code) or cast.grid_worker[area.code[:15]]
    elif spec.source == Event.Source.RESIDENT:
        resident = 0
    p = planner.plan(Draft(at, spec.source, resident, lng, lat, area), code=spec.code,
                     submitter=submitter)  # fmt: skip
    p.stop, p.target, p.department = spec.stop, spec.target, spec.department
    p.void, p.master, p.me_too, p.reopen, p.rework, p.late = "", None, [], False, False, False
    p.bounce, p.defer, p.whistle, p.escalate, p.rating = None, "", [], 0, ""
    p.grid_registers = spec.target == "worker" and spec.source == Event.Source.PATROL
    p.pinned = p.showcase = True
    for item in spec.fate:
        key, _, value = item.partition(":")
        if key == "whistle":
            p.whistle, p.late_report_in = value.split(","), set()
        elif key == "silent":
            p.silent = set(value.split(","))
        elif key == "bounce":
            p.bounce = tuple(value.split(","))
        elif key == "defer":
            p.defer = value
        elif key == "escalate":
            p.escalate = int(value)
        elif key == "verify":
            p.verifier = value
        elif key == "rating":
            p.rating = value
        elif key == "reopen":
            p.reopen = True
    return p
