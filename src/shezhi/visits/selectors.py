"""Every read of the visits app that lists, finds or counts, in the user's scope.

Lists are path ranges on ``area_path`` or a worker's or household's index, ordered
newest first and ending in the id (``core.lists``). A visit outside the user's scope
is a 404, like one that does not exist. ``coverage_counts`` is what ``stats.coverage``
divides (its one definition lives there); ``visit_marks`` is the source households'
list reads its "last visit" and "overdue" from (registered in ``VisitsConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q, unindexed
from shezhi.households.models import Household, Resident

from . import intervals, permissions
from .models import Visit

ORDER = ("-at", "-id")
DEFER = (
    "notes",
    "other_person",
    "area__boundary",
    "household__building__footprint",
    "household__building__compound__boundary",
    "household__micro_grid__boundary",
)


def visible_visits(user, *, driven_by_scope: bool = True) -> QuerySet[Visit]:
    """Visits ``user`` may read. ``driven_by_scope=False`` when a narrower filter's index
    must drive the query (a worker's or a household's visits): SQLite plans without
    statistics and would otherwise walk the scope's path range (``core.lists.unindexed``)."""
    qs = Visit.objects.select_related("household__building__compound", "worker", "area").defer(
        *DEFER
    )
    q = permissions.scope(user, "view")
    if q is None:
        return qs
    return qs.filter(q if driven_by_scope else unindexed(q))


def get_visit(user, pk) -> Visit:
    visit = (
        Visit.objects.select_related("household__building__compound", "worker", "area")
        .defer(
            "area__boundary",
            "household__building__footprint",
            "household__building__compound__boundary",
        )
        .filter(pk=pk)
    )
    q = permissions.scope(user, "view")
    found = (visit if q is None else visit.filter(q)).first()
    if found is None:
        raise Http404("No such visit.")
    return found


def hazard_of(visit: Visit, code: str):
    """The safety item ``code`` if the visit found it (with its event category), else None."""
    return next((i for i in visit.hazards if i.code == code), None)


def visible_visit_ids(user, ids) -> set[int]:
    """Which of ``ids`` are visits ``user`` may open (an event's page links its visit)."""
    return set(visible_visits(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def visits(
    user,
    *,
    area: Area | None = None,
    worker=None,
    household=None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Visit]:
    """Visits in scope, newest first; inside ``area``, by ``worker``, to ``household``,
    between the local days ``since`` and ``until`` (inclusive)."""
    qs = visible_visits(user, driven_by_scope=worker is None and household is None)
    if area is not None:
        qs = qs.filter(subtree_q("area_path", area.path))
    if worker is not None:
        qs = qs.filter(worker=worker)
    if household is not None:
        qs = qs.filter(household=household)
    if since is not None:
        qs = qs.filter(at__gte=day_start(since))
    if until is not None:
        qs = qs.filter(at__lt=day_start(until + dt.timedelta(days=1)))
    return qs.order_by(*ORDER)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# ---------------------------------------------------------------------------
# The households' list: last visit and overdue


@dataclass(frozen=True)
class Mark:
    household_id: int
    last: dt.datetime | None
    interval: intervals.Interval
    overdue: bool

    @property
    def record_url(self) -> str:
        return reverse("visits:record", kwargs={"household": self.household_id})

    @property
    def visits_url(self) -> str:
        return reverse("visits:list") + f"?household={self.household_id}"


def visit_marks(tags_by_household: dict[int, list[str]], now: dt.datetime | None = None):
    """Each household's last visit and whether it is overdue (no visit within its
    interval, ``intervals``); one query for the page."""
    now = now or timezone.now()
    last = dict(
        Visit.objects.filter(household_id__in=list(tags_by_household))
        .order_by()
        .values_list("household_id")
        .annotate(last=Max("at"))
    )
    today = timezone.localdate(now)
    marks = {}
    for pk, tags in tags_by_household.items():
        cls = intervals.interval_for(tags)
        at = last.get(pk)
        cutoff = day_start(today - dt.timedelta(days=cls.days - 1))
        marks[pk] = Mark(household_id=pk, last=at, interval=cls, overdue=at is None or at < cutoff)
    return marks


# ---------------------------------------------------------------------------
# Coverage: the counts ``stats.coverage`` divides


@dataclass(frozen=True)
class ClassCount:
    interval: intervals.Interval
    households: int
    covered: int


def _tagged(tag: str) -> Exists:
    # households.tags stores a resident's plain tags as ",code,code,".
    return Exists(Resident.objects.filter(household=OuterRef("pk"), tags__contains=f",{tag},"))


def _classified(qs: QuerySet, on: dt.date) -> QuerySet:
    """``qs`` (households) with ``visit_class`` (the index of its interval class) and ``covered``
    (a visit within its class's days, ending on the local day ``on``)."""
    classes = intervals.classes()
    end = day_start(on + dt.timedelta(days=1))
    whens = [When(_tagged(c.key), then=Value(i)) for i, c in enumerate(classes[:-1])]
    cls = Case(*whens, default=Value(len(classes) - 1), output_field=IntegerField())

    def seen(days: int) -> Exists:
        start = day_start(on - dt.timedelta(days=days - 1))
        return Exists(Visit.objects.filter(household=OuterRef("pk"), at__gte=start, at__lt=end))

    return qs.annotate(visit_class=cls).annotate(
        covered=Case(
            *[When(visit_class=i, then=seen(c.days)) for i, c in enumerate(classes)],
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _counts(rows, key=None) -> dict:
    classes = intervals.classes()
    out: dict = {}
    for row in rows:
        k = row[key] if key else None
        out.setdefault(k, {})[row["visit_class"]] = (row["n"], row["seen"] or 0)
    return {
        k: [ClassCount(c, *found.get(i, (0, 0))) for i, c in enumerate(classes)]
        for k, found in out.items()
    }


def coverage_counts(area: Area, on: dt.date) -> list[ClassCount]:
    """Households inside ``area`` and those visited within their interval, per class,
    as of the local day ``on``. The caller checks the reader's scope."""
    qs = _classified(Household.objects.filter(subtree_q("area_path", area.path)), on)
    rows = (
        qs.order_by()
        .values("visit_class")
        .annotate(n=Count("id"), seen=Count("id", filter=Q(covered=True)))
    )
    return _counts(rows).get(None) or coverage_counts_empty()


def coverage_counts_empty() -> list[ClassCount]:
    return [ClassCount(c, 0, 0) for c in intervals.classes()]


def coverage_by_child(area: Area, on: dt.date) -> dict[str, list[ClassCount]]:
    """The same for each child path of ``area`` (one grouped query)."""
    length = (area.depth + 1) * Area.steplen
    qs = _classified(Household.objects.filter(subtree_q("area_path", area.path)), on)
    rows = (
        qs.annotate(child=Substr("area_path", 1, length))
        .order_by()
        .values("child", "visit_class")
        .annotate(n=Count("id"), seen=Count("id", filter=Q(covered=True)))
    )
    return _counts(rows, "child")


def visits_in(area: Area, start: dt.date, end: dt.date) -> int:
    """Visits recorded inside ``area`` on the local days ``[start, end]``."""
    return Visit.objects.filter(
        subtree_q("area_path", area.path),
        at__gte=day_start(start),
        at__lt=day_start(end + dt.timedelta(days=1)),
    ).count()


def household_visit_lines(household: Household, limit: int = 20) -> list[str]:
    """A bound resident's view of their household's visits: the day and what came of it.

    Only the date and the outcome: the worker's notes, whom they met and the checklist
    stay with those who work the area (a resident sees no other member's details).
    """
    outcome = dict(Visit.Outcome.choices)
    rows = (
        Visit.objects.filter(household=household)
        .order_by("-at", "-id")
        .values_list("at", "outcome")[:limit]
    )
    return [f"{timezone.localtime(at):%Y-%m-%d} · {outcome.get(o, o)}" for at, o in rows]
