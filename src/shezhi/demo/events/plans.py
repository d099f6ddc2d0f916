"""The plan of one event (what becomes of it) and the steps its life yields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass, field

from shezhi.areas.models import Area
from shezhi.events.models import Event


@dataclass(eq=False)
class Plan:
    n: int
    at: dt.datetime
    area: Area  # the micro-grid the point is located in
    lng: float
    lat: float
    code: str  # subcategory
    source: str
    submitter: object
    description: str = ""
    address: str = ""
    contact: tuple[str, str] = ("", "")
    anonymous: bool = False
    # What becomes of it.
    void: str = ""  # "invalid" / "duplicate"
    master: Plan | None = None  # merged into it as a duplicate
    me_too: list = field(default_factory=list)  # (user, when)
    grid_registers: bool = False  # the grid registers and dispatches it itself
    escalate: int = 0  # levels up: 1 grid → community, 2 → street
    whistle: list[str] = field(default_factory=list)  # department codes, the lead first
    late_report_in: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)  # summoned, not reported in (yet)
    target: str = "worker"  # worker / community / department
    department: str = ""
    bounce: tuple[str, str] | None = None  # the department returns it; re-dispatched here
    defer: str = ""  # "", "approve", "reject"
    rework: bool = False
    late: bool = False
    verifier: str = "grid"  # grid / reporter / dispatcher
    rating: str = ""
    reopen: bool = False
    stop: str = ""  # the stage after which nothing more happens (yet)
    pinned: bool = False  # its steps up to ``stop`` all happen by now
    showcase: bool = False  # what a demo sign-in finds waiting (``SHOWCASE``)
    event: Event | None = None
    last_at: dt.datetime | None = None


@dataclass
class Report:
    at: dt.datetime
    plan: Plan


@dataclass
class Act:
    at: dt.datetime
    plan: Plan  # whose event is acted on
    actor: object
    action: str
    reason: str = ""
    data: dict = field(default_factory=dict)
    optional: bool = False  # skipped quietly when the event has moved on by then


Step = Report | Act
Life = Generator[Step, Event | None, None]
