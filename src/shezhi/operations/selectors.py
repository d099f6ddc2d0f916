"""Every read of an emergency operation: the operations a user sees, the lines they
work, and the dashboard's figures (one definition each, used by the page, the JSON the
page polls, the API and the after-action report).

Figures (over the part of the operation in the reader's scope):
- coverage = households checked / households (a household counts once it has any
  outcome: reached, absent, refused, needs help);
- vulnerable coverage = vulnerable households checked / vulnerable households (a
  household is vulnerable when a resident carries one of
  ``services.VULNERABLE_TAGS``);
- workers on duty = roll-call reports whose latest status is "on duty";
- open needs = check lines whose raised event is neither closed nor voided nor merged.
They come from ``GridTally`` (one row per micro-grid, kept by each check), so the
district's dashboard reads ~2,600 rows whatever the number of households.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q, unindexed
from shezhi.core.scope import held_areas, sees_everything
from shezhi.events.models import Event

from . import permissions
from .models import CheckLine, GridTally, Operation, RollCall

FINISHED_EVENT_STATES = (Event.State.CLOSED, Event.State.VOIDED, Event.State.MERGED)
LEVELS = ("street", "community", "general_grid", "micro_grid")
TALLY_FIELDS = (
    "households",
    "vulnerable",
    "checked",
    "vulnerable_checked",
    "reached",
    "absent",
    "refused",
    "needs_help",
)


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def visible_operations(user) -> QuerySet[Operation]:
    """Operations meeting the user's areas (dashboard roles), newest first."""
    qs = Operation.objects.select_related("area").defer("area__boundary")
    if sees_everything(user):
        return qs
    paths = {a.path for a in held_areas(user, permissions.ACTIONS["dashboard"])}
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        # Operations inside the held area, or on an area above it.
        q |= subtree_q("area_path", path) | Q(area_path__in=Area.lineage(path))
    return qs.filter(q)


def get_operation(user, pk, action: str = "dashboard") -> Operation:
    """One operation, or 404 when it is not there or meets none of the user's areas."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such operation.") from None
    op = Operation.objects.select_related("area", "period").defer("area__boundary").filter(pk=pk)
    operation = op.first()
    if operation is None or not permissions.can(user, action, operation):
        raise Http404("No such operation.")
    return operation


def lines(user, operation: Operation, *, area: Area | None = None, todo: bool = False):
    """The check lines the user works (their micro-grids' households), vulnerable first."""
    qs = CheckLine.objects.filter(operation=operation)
    qs = _scoped(qs, permissions.scope(user, "check"))
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if todo:
        qs = qs.filter(outcome="")
    return qs.select_related(
        "household", "household__building", "household__building__compound", "checked_by"
    )


LINE_ORDER = ("rank", "area_path", "id")


def get_line(user, operation: Operation, pk) -> CheckLine:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such line.") from None
    line = (
        CheckLine.objects.filter(operation=operation, pk=pk)
        .select_related("operation", "micro_grid", "household__building__compound")
        .defer("micro_grid__boundary")
        .first()
    )
    if line is None or not permissions.can(user, "check", line):
        raise Http404("No such line.")
    return line


@dataclass
class Figures:
    households: int = 0
    vulnerable: int = 0
    checked: int = 0
    vulnerable_checked: int = 0
    reached: int = 0
    absent: int = 0
    refused: int = 0
    needs_help: int = 0

    @property
    def coverage(self) -> float | None:
        return self.checked / self.households if self.households else None

    @property
    def vulnerable_coverage(self) -> float | None:
        return self.vulnerable_checked / self.vulnerable if self.vulnerable else None

    def as_dict(self) -> dict:
        d = {name: getattr(self, name) for name in TALLY_FIELDS}
        d["coverage"] = self.coverage
        d["vulnerable_coverage"] = self.vulnerable_coverage
        return d


@dataclass
class AreaFigures:
    code: str
    name: str
    level: str
    figures: Figures = field(default_factory=Figures)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, **self.figures.as_dict()}


@dataclass
class Dashboard:
    operation: Operation
    total: Figures
    levels: dict[str, list[AreaFigures]]
    children: list[AreaFigures]
    on_duty: int
    unavailable: int
    open_needs: int
    needs_raised: int

    def as_dict(self) -> dict:
        op = self.operation
        return {
            "operation": op.pk,
            "state": op.state,
            "ended_at": op.ended_at.isoformat() if op.ended_at else None,
            "total": self.total.as_dict(),
            "children": [c.as_dict() for c in self.children],
            "levels": {k: [a.as_dict() for a in v] for k, v in self.levels.items()},
            "workers": {"on_duty": self.on_duty, "unavailable": self.unavailable},
            "needs": {"raised": self.needs_raised, "open": self.open_needs},
        }


def dashboard(user, operation: Operation, *, levels: bool = True) -> Dashboard:
    """The figures of the part of ``operation`` in ``user``'s scope (see the docstring).

    Reads tuples, not model rows: the district's 2,583 tallies and the 2,900 areas
    above them are summed in Python in a few milliseconds."""
    inside = permissions.scope(user, "dashboard")
    tallies = list(
        _scoped(GridTally.objects.filter(operation=operation), inside).values_list(
            "area_path", *TALLY_FIELDS
        )
    )
    width = len(TALLY_FIELDS)
    op_len = len(operation.area_path)
    step = Area.steplen
    sums: dict[str, list[int]] = {}
    total = [0] * width
    for path, *values in tallies:
        for i in range(width):
            total[i] += values[i]
        for end in range(op_len + step, len(path) + 1, step):
            row = sums.get(path[:end])
            if row is None:
                sums[path[:end]] = list(values)
            else:
                for i in range(width):
                    row[i] += values[i]
    areas = (
        Area.objects.filter(subtree_q("path", operation.area_path))
        .filter(depth__gt=op_len // step)
        .values_list("path", "code", "name", "level")
        if sums
        else []
    )
    grouped: dict[str, list[AreaFigures]] = defaultdict(list)
    children = []
    for path, code, name, level in sorted(areas):
        values = sums.get(path)
        if values is None:
            continue
        row = AreaFigures(code, name, level, Figures(*values))
        if levels:
            grouped[level].append(row)
        if len(path) == op_len + step:
            children.append(row)
    rolls = dict(
        _scoped(RollCall.objects.filter(operation=operation), inside)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    # The few lines that raised an event, from their partial index (SQLite is kept from
    # driving the query from the area path's).
    needs = CheckLine.objects.filter(operation=operation, need_event__isnull=False)
    if inside is not None:
        needs = needs.filter(unindexed(inside))
    states = list(needs.values_list("need_event__state", flat=True))
    return Dashboard(
        operation=operation,
        total=Figures(*total),
        levels={k: grouped[k] for k in LEVELS if grouped.get(k)},
        children=children,
        on_duty=rolls.get(RollCall.Status.ON_DUTY, 0),
        unavailable=rolls.get(RollCall.Status.UNAVAILABLE, 0),
        open_needs=sum(1 for st in states if st not in FINISHED_EVENT_STATES),
        needs_raised=len(states),
    )


def distributed(user, operation: Operation) -> list[dict]:
    """Items handed out in the user's part: item, households, quantity."""
    qs = _scoped(operation.distributions.all(), permissions.scope(user, "dashboard"))
    return list(
        qs.values("item")
        .annotate(households=Count("line", distinct=True), quantity=Sum("quantity"))
        .order_by("item")
    )


def running_in(area: Area) -> Operation | None:
    """The operation running on ``area`` (for the declare page's link)."""
    return Operation.objects.filter(area=area, state=Operation.State.RUNNING).first()
