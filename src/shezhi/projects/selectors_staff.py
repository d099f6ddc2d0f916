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
from .models import (
    CommunityFund,
    DistrictProjectRules,
    Expense,
    MoneyTransfer,
    Payment,
    Project,
)


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


def project_payment(project: Project, payment_id: int) -> Payment:
    """One of the project's payments (the project already checked), else 404."""
    found = Payment.objects.select_related("transfer").filter(project=project, pk=payment_id)
    payment = found.first()
    if payment is None:
        raise Http404("No such payment.")
    return payment


def project_expense(project: Project, expense_id: int) -> Expense:
    found = Expense.objects.select_related("transfer").filter(project=project, pk=expense_id)
    expense = found.first()
    if expense is None:
        raise Http404("No such expense.")
    return expense


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


# ---------------------------------------------------------------------------
# Refunds and reversals


def project_payments(project: Project) -> QuerySet[Payment]:
    return Payment.objects.filter(project=project)


def project_expenses(project: Project) -> QuerySet[Expense]:
    return Expense.objects.filter(project=project)


def mark_undone(project: Project, payments: list[Payment], expenses: list[Expense]) -> None:
    """Give each payment and expense of a page its ``undo``: the ledger's refund or
    reversal that took it back (when, by whom, the reason), or None. Two queries."""
    T = MoneyTransfer.Kind
    by_payment: dict[str, MoneyTransfer] = {}
    by_reversed: dict[int, MoneyTransfer] = {}
    refunded = [str(p.pk) for p in payments if p.status == Payment.Status.REFUNDED]
    reversed_ids = [p.transfer_id for p in payments if p.status == Payment.Status.REVERSED] + [
        e.transfer_id for e in expenses if e.status == Expense.Status.REVERSED
    ]
    undo = MoneyTransfer.objects.filter(project=project).select_related("created_by")
    if refunded:
        for t in undo.filter(kind=T.REFUND, cause_type="payment", cause_id__in=refunded):
            by_payment[t.cause_id] = t
    if reversed_ids:
        for t in undo.filter(kind=T.REVERSAL, reverses_id__in=reversed_ids):
            by_reversed[t.reverses_id] = t
    for p in payments:
        p.undo = by_payment.get(str(p.pk)) or by_reversed.get(p.transfer_id)
    for e in expenses:
        e.undo = by_reversed.get(e.transfer_id)


@dataclass(frozen=True)
class PaymentUndo:
    """What taking one payment back would do to the project, shown before staff confirm:
    residents' money after it and the match after it (what the payment had earned goes
    back to the project's reserve). While crowdfunding the funding cap never holds the
    match back (reaching it ends crowdfunding), so the match only goes down."""

    paid_in: int
    matched: int
    match_change: int

    @property
    def raised(self) -> int:
        return self.paid_in + self.matched

    @property
    def match_back(self) -> int:
        return max(0, -self.match_change)


def payment_undo(project: Project, payment: Payment) -> PaymentUndo:
    """The services' own rule (``services.match_target``), on the project as it stands."""
    paid_in = project.paid_in - payment.amount
    matched = services.match_target(project, paid_in)
    return PaymentUndo(paid_in, matched, matched - project.matched)
