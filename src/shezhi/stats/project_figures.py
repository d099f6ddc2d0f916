"""Micro-project figures (社区亲治理 2.0, issue 17): one definition each, for the
dashboard, the API and the monthly report.

    projects by stage          = COUNT(projects) with area_path in subtree(area) and
                                 created_at < period.end, by their stage today
    money raised from residents = Σ fen of the project accounts' ledger entries of the
                                 payment stream (payments − refunds − reversed payments),
                                 transfer.at in the period, projects in subtree(area)
    community support drawn    = the same over the match stream (match drawn − match
                                 returned): what the community funds put in
    residents in projects      = COUNT(DISTINCT participant) over core.participation rows of
                                 way "project" in subtree(area) and the period

Money comes from the money ledger's entries (never from the projects' counters), so the
figures reconcile with the public accounts and ``money_check``. A count and sums, never who.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy

from shezhi.core import participation
from shezhi.core.lists.ranges import subtree_q
from shezhi.core.periods import Period
from shezhi.projects.models import MoneyEntry, MoneyTransfer, Project

from .participation import bounds

BY_STAGE = "projects_by_stage"
RAISED = "money_raised_from_residents"
SUPPORT = "community_support_drawn"
TAKING_PART = "residents_taking_part_in_projects"
DEFINITIONS = {
    BY_STAGE: (
        gettext_lazy("Micro-projects by stage"),
        gettext_lazy(
            "micro-projects inside the area proposed before the end of the period, counted"
            " by the stage they are in today"
        ),
    ),
    RAISED: (
        gettext_lazy("Money raised from residents (fen)"),
        gettext_lazy(
            "residents' payments into the area's micro-projects in the period, less refunds"
            " and payments reversed in the period, from the money ledger, in fen"
        ),
    ),
    SUPPORT: (
        gettext_lazy("Community support drawn (fen)"),
        gettext_lazy(
            "matching money the community funds put into the area's micro-projects in the"
            " period, less match returned, from the money ledger, in fen"
        ),
    ),
    TAKING_PART: (
        gettext_lazy("Residents taking part in micro-projects"),
        gettext_lazy(
            "distinct residents who proposed, backed, pledged, paid for or volunteered in a"
            " micro-project of the area in the period, each counted once"
        ),
    ),
}
STAGES = Project.Stage


@dataclass(frozen=True)
class ProjectFigures:
    by_stage: dict[str, int]
    raised: int
    support: int
    taking_part: int

    @property
    def projects(self) -> int:
        return sum(self.by_stage.values())

    def as_dict(self) -> dict:
        return {
            "projects": self.projects,
            "by_stage": [
                {"stage": s, "label": str(STAGES(s).label), "projects": n}
                for s, n in self.by_stage.items()
            ],
            "raised_from_residents": self.raised,
            "community_support": self.support,
            "residents_taking_part": self.taking_part,
        }


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals (¥1,234.56), integers only, as the projects show it."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def _stream(area, start, end, stream: str) -> int:
    return (
        MoneyEntry.objects.filter(
            account__kind="project",
            transfer__stream=stream,
            transfer__at__gte=start,
            transfer__at__lt=end,
        )
        .filter(subtree_q("transfer__project__area_path", area.path))
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )


def area_project_figures(area, period: Period) -> ProjectFigures:
    """The four figures of ``area``'s subtree over ``period`` (the module's formulas)."""
    start, end = bounds(period)
    counts = dict.fromkeys(STAGES.values, 0)
    rows = (
        Project.objects.filter(subtree_q("area_path", area.path), created_at__lt=end)
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({r["stage"]: r["n"] for r in rows})
    return ProjectFigures(
        by_stage=counts,
        raised=_stream(area, start, end, MoneyTransfer.Kind.PAYMENT),
        support=_stream(area, start, end, MoneyTransfer.Kind.MATCH),
        taking_part=participation.participants(area, start, end, ways=[participation.Way.PROJECT]),
    )
