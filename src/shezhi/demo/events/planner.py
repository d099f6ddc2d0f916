"""Planning: who reports what, where and when, and what becomes of it."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import shapely.geometry
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.locating import locate, locate_many
from shezhi.areas.models import Area
from shezhi.core import calendar
from shezhi.events.models import Category, Event
from shezhi.stats.kpis import basically_satisfied_weight

from .cast import Cast
from .clock import _local, demo_year
from .figures import (
    BOUNCE_TO,
    CATEGORY_WEIGHTS,
    DAYS,
    DEFERRABLE,
    DEMO_MICRO,
    HANDLED,
    LEFT_OPEN,
    N_RESIDENTS,
    SATISFACTION,
    SOURCE_WEIGHTS,
    UNSATISFIED_SHARE,
    WHISTLE_EXTRA,
)
from .lives import _pick
from .plans import Plan
from .words import COMPOUND_SUFFIX, DESCRIPTIONS, SPOTS, VILLAGE_SPOTS


@dataclass
class Draft:
    at: dt.datetime
    source: str
    resident: int | None  # index into the residents
    lng: float
    lat: float
    area: Area


class Planner:
    def __init__(self, cast: Cast, rng: random.Random, end: dt.datetime):
        self.cast = cast
        self.rng = rng
        self.end = end
        self.year = demo_year(end)
        self.categories = {
            cat.code: cat for cat in Category.objects.filter(parent__isnull=False, active=True)
        }
        self.codes = [code for code in CATEGORY_WEIGHTS if code in self.categories]
        self.code_weights = [CATEGORY_WEIGHTS[code] for code in self.codes]
        self.micro = [a for a in cast.areas.values() if a.level == c.MICRO_GRID]
        self.micro_weights = [self._weight(a) for a in self.micro]
        general = [(a, w) for a, w in zip(self.micro, self.micro_weights, strict=True)
                   if a.kind == c.KIND_GENERAL]  # fmt: skip
        # Residents live where people are; the first is the demo resident.
        neighbours = rng.choices([a for a, _ in general], [w for _, w in general], k=N_RESIDENTS)
        self.homes = [cast.area(DEMO_MICRO), *neighbours]
        self.compounds: dict[str, str] = {}

    @staticmethod
    def _weight(area: Area) -> float:
        urban = area.code[6:9] < "100"  # 街道 0xx (the town centre), 镇 1xx
        weight = 1.6 if urban else 0.8
        return weight * (0.35 if area.kind == c.KIND_DEDICATED else 1.0)

    # -- where and when

    def points_in(self, areas: list[Area], tries: int = 40) -> list[tuple[float, float, Area]]:
        """A random point of each area and the micro-grid the locator puts it in.

        Candidates are drawn in each area's bounding box and located all at once;
        the first that lands in the area is taken.
        """
        if not areas:
            return []
        draw = np.random.default_rng(self.rng.getrandbits(64))
        box = np.array([(a.min_lng, a.min_lat, a.max_lng, a.max_lat) for a in areas])
        u = draw.random((len(areas), tries, 2))
        lng = np.round(box[:, None, 0] + u[..., 0] * (box[:, None, 2] - box[:, None, 0]), 6)
        lat = np.round(box[:, None, 1] + u[..., 1] * (box[:, None, 3] - box[:, None, 1]), 6)
        found, rows = locate_many(lng, lat)
        codes = np.array([r.code for r in rows] + [""])  # -1 (outside) → ""
        hit = codes[found] == np.array([a.code for a in areas])[:, None]
        out = []
        for i, area in enumerate(areas):
            j = int(np.argmax(hit[i]))
            if hit[i, j]:
                out.append((float(lng[i, j]), float(lat[i, j]), area))
                continue
            boundary = Area.objects.values_list("boundary", flat=True).get(pk=area.pk)
            point = shapely.geometry.shape(boundary).representative_point()
            _, chain = locate(point.x, point.y)
            out.append((point.x, point.y, self.cast.area(chain[0].code)))
        return out

    def day(self) -> dt.date:
        """A day of the year: more in summer, fewer on days off."""
        rng = self.rng
        last = timezone.localtime(self.end).date()
        while True:
            d = last - dt.timedelta(days=rng.randrange(DAYS))
            season = 1 + 0.25 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 200) / 365)
            weight = season * (1.0 if calendar.is_working_day(d) else 0.6)
            if rng.random() < weight / 1.25:
                return d

    def moment(self, day: dt.date, source: str) -> dt.datetime:
        rng = self.rng
        if source == Event.Source.RESIDENT:
            hours = min(max(rng.gauss(14, 4.5), 7), 22)
        elif source == Event.Source.HOTLINE:
            hours = rng.uniform(8.5, 20)
        else:
            hours = _pick(rng, (rng.uniform(9, 12), rng.uniform(13.5, 17.5)))
        at = _local(day, hours)
        if at > self.end - dt.timedelta(minutes=20):
            at = self.end - dt.timedelta(minutes=rng.uniform(20, 600))
        return at

    def drafts(self, n: int) -> list[Draft]:
        rng = self.rng
        chosen = []
        for _ in range(n):
            source = rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
            resident = None
            if source == Event.Source.RESIDENT:
                resident = 0 if rng.random() < 0.012 else rng.randrange(1, len(self.homes))
                area = self.homes[resident]
            else:
                area = rng.choices(self.micro, self.micro_weights)[0]
            chosen.append((source, resident, area, self.moment(self.day(), source)))
        points = self.points_in([area for _, _, area, _ in chosen])
        return [
            Draft(at, source, resident, lng, lat, area)
            for (source, resident, _, at), (lng, lat, area) in zip(chosen, points, strict=True)
        ]

    # -- what

    def words(self, p: Plan) -> None:
        rng = self.rng
        area = p.area
        community = self.cast.area(area.code[:12])
        street = self.cast.area(area.code[:9])
        if area.kind == c.KIND_DEDICATED:
            spot = area.name + _pick(rng, ("门口", "周边", "后门", "围墙外"))
        elif community.name.endswith("村"):
            spot = _pick(rng, VILLAGE_SPOTS).format(v=community.name, g=rng.randint(1, 12))
        else:
            compound = self.compounds.setdefault(
                area.code, community.name[:2] + _pick(rng, COMPOUND_SUFFIX)
            )
            spot = _pick(rng, SPOTS).format(c=compound, b=rng.randint(1, 24), u=rng.randint(1, 4))
        p.address = f"{street.name}{community.name}{spot}"
        p.description = _pick(rng, DESCRIPTIONS[p.code]).format(p=spot)
        if p.source == Event.Source.HOTLINE:
            p.description = "12345热线转办：" + p.description
            p.contact = (self.cast.name(), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
        elif p.source == Event.Source.ASSIGNED:
            p.description = "上级交办：" + p.description

    def plan(self, d: Draft, *, code: str | None = None, submitter=None) -> Plan:
        rng = self.rng
        cast = self.cast
        code = code or rng.choices(self.codes, self.code_weights)[0]
        if submitter is None:
            if d.source == Event.Source.RESIDENT:
                submitter = cast.residents[d.resident][0]
            elif d.source == Event.Source.PATROL:  # the micro-grid's worker, or the grid's
                workers = (cast.worker[d.area.code], cast.grid_worker[d.area.code[:15]])
                submitter = workers[rng.random() < 0.3]
            elif d.source == Event.Source.HOTLINE:
                submitter = cast.community[d.area.code[:12]]
            else:  # assigned from above: the street, sometimes the district
                street = cast.street[d.area.code[:9]]
                submitter = street if rng.random() < 0.75 else cast.admin
        p = Plan(0, d.at, d.area, d.lng, d.lat, code, d.source, submitter)
        self.words(p)
        self.fate(p, self.categories[code])
        return p

    def fate(self, p: Plan, cat: Category) -> None:
        r = self.rng.random
        # Where it goes: the micro-grid's own worker for what the grid can solve,
        # the community for disputes and requests, else the responsible department.
        if cat.grid_can_solve and r() < 0.88:
            p.target = "worker"
            p.grid_registers = p.source == Event.Source.PATROL or r() < 0.35
        elif cat.department_code and (not cat.grid_can_solve or r() < 0.5):
            p.target, p.department = "department", cat.department_code
        else:
            p.target = "community"
        if p.target == "department" and p.code in BOUNCE_TO and r() < 0.3:
            p.bounce = BOUNCE_TO[p.code]
        if p.target == "department" and p.code in WHISTLE_EXTRA and r() < 0.22:
            extra = [d for d in WHISTLE_EXTRA[p.code] if d != p.department]
            p.whistle = [p.department, *extra[: self.rng.choice((1, len(extra)))]]
            # The community blows it (taking the event up from the grid), or the
            # street once the event has been escalated to it.
            p.escalate = 2 if r() < 0.25 else 0
            p.late_report_in = {d for d in p.whistle if r() < 0.12}
            p.bounce = None
        elif not p.grid_registers and r() < 0.012:
            p.escalate = 2 if r() < 0.4 else 1
        if p.code in DEFERRABLE and p.target != "community" and r() < 0.12:
            p.defer = "approve" if r() < 0.8 else "reject"
        p.rework = r() < 0.04
        p.late = r() < 0.07
        if p.source == Event.Source.RESIDENT:
            p.verifier = "reporter" if r() < 0.55 else "grid"
            if r() < 0.88:
                x = r()
                p.rating = (
                    "satisfied" if x < 0.80
                    else "basically_satisfied" if x < 0.955
                    else "unsatisfied"
                )  # fmt: skip
            p.reopen = r() < 0.012
        else:
            p.verifier = "grid" if r() < 0.8 else "dispatcher"
        if p.source != Event.Source.ASSIGNED and r() < 0.02:
            p.void = "invalid"

    def in_year(self, p: Plan) -> bool:
        """Reported in the demo's year (by local date, as the KPIs' cohorts are)."""
        return timezone.localtime(p.at).date() <= self.year[1]

    def unfinished(self, plans: list[Plan]) -> None:
        """Leave the last two weeks' events in every state (the year: ``calibrate``)."""
        rng = self.rng
        for p in plans:
            if self.in_year(p):
                continue
            age = (self.end - p.at).total_seconds() / 86400
            if age < 2:
                p.stop = _pick(rng, ("reported", "registered", "dispatched", "accepted",
                                     "accepted", "handled", "closed", "", "", ""))  # fmt: skip
            elif rng.random() < 0.22:
                p.stop = _pick(rng, ("accepted", "accepted", "handled", "registered"))

    def calibrate(self, plans: list[Plan]) -> list[Plan]:
        """Make the demo's year give the article's three figures exactly; the plans kept.

        Under ``stats.kpis``' definitions, over the events reported in the year:
        handled = ``HANDLED`` (each of them closed too), completion rate =
        closed / due = ``HANDLED / (HANDLED + LEFT_OPEN)`` (the long jobs deferred
        with approval are not due), satisfaction rate = ``SATISFACTION`` exactly.
        Every step of the year's finished events is made to happen by now
        (``pinned``), so these hold whatever the moment the demo is built.
        """
        rng = self.rng
        year = [p for p in plans if self.in_year(p)]
        masters = {id(p.master) for p in plans if p.master is not None}
        valid = [p for p in year if not p.void and p.master is None and not p.showcase]
        # Not done: long jobs deferred with approval, and departments that never
        # finished (open past their deadlines, red in every queue). Old enough for
        # every deadline (10 working days at most) to have passed.
        old = [p for p in valid if self.end - p.at > dt.timedelta(days=45)]
        long_jobs = [p for p in old if p.code in DEFERRABLE and p.target != "community"]
        for p in rng.sample(long_jobs, min(len(long_jobs), round(len(valid) * 0.0075))):
            p.defer, p.stop = "approve", "deferred"
        slow = [p for p in old if p.target == "department" and not p.stop]
        for p in rng.sample(slow, LEFT_OPEN):
            p.stop, p.late, p.bounce, p.defer = "accepted", True, None, ""

        def finished() -> list[Plan]:
            return [p for p in year if not p.void and p.master is None and not p.stop]

        surplus = len(finished()) - HANDLED
        if surplus > 0:  # drop some of the year's reports (none a duplicate's master)
            removable = [p for p in finished() if not p.showcase and id(p) not in masters]
            dropped = {id(p) for p in rng.sample(removable, surplus)}
            plans = [p for p in plans if id(p) not in dropped]
            year = [p for p in year if id(p) not in dropped]
        elif surplus < 0:  # too few: some reports thought invalid were not
            voided = [p for p in year if p.void == "invalid" and not p.showcase]
            for p in rng.sample(voided, -surplus):
                p.void = ""
        done = finished()
        if len(done) != HANDLED:  # a bug in the demo's script, never a user's error
            raise RuntimeError(f"demo: {len(done)} events handled in the year, not {HANDLED}")
        for p in done:
            p.pinned = True  # handled, checked, closed (and rated) by now
        share_ratings([p for p in done if p.source == Event.Source.RESIDENT and p.rating], rng)
        return plans

    def duplicates(self, plans: list[Plan]) -> list[Plan]:
        """Neighbours reporting the same thing (merged or voided), and their "me too"s."""
        rng = self.rng
        by_community: dict[str, list] = defaultdict(list)
        for user, home in self.cast.residents:
            by_community[home.code[:12]].append(user)
        extra = []
        for p in plans:
            if p.void or p.stop == "reported":
                continue
            neighbours = [u for u in by_community[p.area.code[:12]] if u is not p.submitter]
            if not neighbours:
                continue
            if p.source != Event.Source.HOTLINE and rng.random() < 0.03:
                user = _pick(rng, neighbours)
                at = p.at + dt.timedelta(minutes=rng.uniform(20, 300))
                if at < self.end:
                    d = Draft(at, Event.Source.RESIDENT, None, p.lng, p.lat, p.area)
                    dup = self.plan(d, code=p.code, submitter=user)
                    dup.void, dup.master = "", p
                    if rng.random() < 0.25:
                        dup.void, dup.master = "duplicate", None
                    extra.append(dup)
            if p.source == Event.Source.RESIDENT and rng.random() < 0.05:
                for user in rng.sample(neighbours, min(len(neighbours), _pick(rng, (1, 1, 2, 3)))):
                    p.me_too.append((user, p.at + dt.timedelta(minutes=rng.uniform(30, 900))))
        return extra


def share_ratings(rated: list[Plan], rng: random.Random) -> None:
    """Share the ratings out so the satisfaction rate is exactly ``SATISFACTION``.

    With weight w for 基本满意: s + w·b = SATISFACTION·(s + b + u). About
    ``UNSATISFIED_SHARE`` are 不满意; as few ratings as possible change (and
    one is dropped when the count admits no exact split).
    """
    w = Fraction(basically_satisfied_weight()).limit_denominator(1000)
    fixed = Counter(p.rating for p in rated if p.showcase)
    free = [p for p in rated if not p.showcase]
    split = None
    for n in (len(rated), len(rated) - 1):
        target = round(UNSATISFIED_SHARE * n)
        for u in sorted(range(n + 1), key=lambda x: (abs(x - target), x)):
            b = ((1 - SATISFACTION) * n - u) / (1 - w) if w != 1 else None
            if b is None or b.denominator != 1 or b < 0:
                continue
            s = n - u - int(b)
            if (
                s >= fixed["satisfied"]
                and b >= fixed["basically_satisfied"]
                and (u >= fixed["unsatisfied"])
            ):
                split = {"satisfied": s, "basically_satisfied": int(b), "unsatisfied": u}
                break
        if split:
            if n < len(rated):
                _pick(rng, free).rating = ""
                free = [p for p in free if p.rating]
            break
    if split is None:
        raise RuntimeError("demo: no exact split of the ratings")
    want = {k: v - fixed[k] for k, v in split.items()}
    have: dict[str, list[Plan]] = defaultdict(list)
    for p in free:
        have[p.rating].append(p)
    spare = []
    for kind, n in want.items():
        if len(have[kind]) > n:
            spare += rng.sample(have[kind], len(have[kind]) - n)
    for kind, n in want.items():
        for _ in range(n - len(have[kind])):
            spare.pop().rating = kind
