"""The staff pages' reads: projects and funds where the user is staff (``STAFF_ROLES``
over the community), 404 for anything else, and what a reviewer weighs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.roles import STAFF_ROLES
from shezhi.core.scope import held_areas, scope_over, sees_everything

from . import permissions, services
from .models import CommunityFund, DistrictProjectRules, Project


def staff_projects(user) -> QuerySet[Project]:
    if user is None or not user.is_authenticated:
        return Project.objects.none()
    q = scope_over(user, STAFF_ROLES, "area_path")
    qs = Project.objects.select_related("area", "community")
    return qs if q is None else qs.filter(q)


def staff_project(user, pk: int) -> Project:
    """A project the user is staff over (its community), else 404: the staff pages are
    no business of residents or grid workers, even of projects they may read."""
    project = staff_projects(user).filter(pk=pk).first()
    if project is None or not permissions.is_staff_over(user, project.community):
        raise Http404("No such project.")
    return project


def staff_fund(user, pk: int) -> CommunityFund:
    fund = CommunityFund.objects.select_related("account", "community").filter(pk=pk).first()
    if fund is None or not permissions.is_staff_over(user, fund.community):
        raise Http404("No such fund.")
    return fund


def staff_districts(user) -> list[Area]:
    """The districts the user works in as staff (every district for a superuser)."""
    if user is None or not user.is_authenticated:
        return []
    qs = Area.objects.defer("boundary").filter(level=c.DISTRICT)
    if sees_everything(user):
        return list(qs.order_by("code"))
    paths = {a.path[: Area.steplen] for a in held_areas(user, STAFF_ROLES)}
    return list(qs.filter(path__in=paths).order_by("code"))


@dataclass(frozen=True)
class Support:
    """What approving a proposal would fix, under its district's rules today."""

    rules: DistrictProjectRules
    ratio_bp: int
    match_cap: int
    funding_cap: int
    fund: CommunityFund | None

    @property
    def fund_balance(self) -> int | None:
        return self.fund.account.balance if self.fund is not None else None

    @property
    def fund_covers(self) -> bool:
        return self.fund is not None and self.fund.account.balance >= self.match_cap


def support_for(project: Project, funds: dict | None = None, rules: dict | None = None) -> Support:
    """``funds`` (community id → fund) and ``rules`` (district id → rules) let a list
    read them once for the whole page."""
    if rules is not None and project.district_id in rules:
        r = rules[project.district_id]
    else:
        r = services.rules_for(Area(pk=project.district_id))
    if funds is not None:
        fund = funds.get(project.community_id)
    else:
        fund = (
            CommunityFund.objects.select_related("account")
            .filter(community_id=project.community_id)
            .first()
        )
    funding_cap = (
        project.target * (100 + r.overfunding_pct) // 100
        if project.allow_overfunding
        else project.target
    )
    return Support(r, r.match_ratio_bp, min(r.match_cap, project.target), funding_cap, fund)


def supports(projects: list[Project]) -> dict[int, Support]:
    """The support of each project of a page, in three queries whatever its length."""
    funds = {
        f.community_id: f
        for f in CommunityFund.objects.select_related("account").filter(
            community_id__in={p.community_id for p in projects}
        )
    }
    rules = {
        r.district_id: r
        for r in DistrictProjectRules.objects.filter(
            district_id__in={p.district_id for p in projects}
        )
    }
    for p in projects:
        rules.setdefault(p.district_id, DistrictProjectRules(district_id=p.district_id))
    return {p.pk: support_for(p, funds, rules) for p in projects}
