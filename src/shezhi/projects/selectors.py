"""Every read of micro-projects, scoped here: lists, one project (404 outside scope),
the review queue, funds, and the public accounts that reconcile to the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from shezhi.core.roles import STAFF_ROLES
from shezhi.core.scope import scope_over

from . import ledger, permissions
from .models import CommunityFund, Expense, MoneyTransfer, Payment, Project


def visible_projects(user) -> QuerySet[Project]:
    if user is None or not user.is_authenticated:
        return Project.objects.none()
    q = permissions.scope(user)
    qs = Project.objects.all()
    return qs if q is None else qs.filter(q)


def get_project(user, pk: int) -> Project:
    project = visible_projects(user).select_related("area", "community").filter(pk=pk).first()
    if project is None:
        raise Http404("No such project.")
    return project


def review_queue(user) -> QuerySet[Project]:
    """Projects waiting for review where ``user`` is staff."""
    q = scope_over(user, STAFF_ROLES, "area_path")
    qs = Project.objects.filter(stage=Project.Stage.REVIEW)
    return qs if q is None else qs.filter(q)


def visible_funds(user) -> QuerySet[CommunityFund]:
    q = scope_over(user, STAFF_ROLES, "area_path")
    qs = CommunityFund.objects.select_related("account", "community")
    return qs if q is None else qs.filter(q)


@dataclass
class AccountLine:
    at: datetime
    kind: str  # payment, refund, reversal, match, match_return, expense
    amount: int  # + in, − out (of the project's account)
    channel: str = ""
    who: str = ""  # the payer masked (张*) unless named; the payee of an expense
    receipt: bool = False
    memo: str = ""
    # The payment or expense the line is about ("payment", pk) for its receipt's link.
    source: tuple[str, int] | None = None
    # On the line that brought a payment or an expense in: what became of it since
    # (refunded, reversed), its own refund or reversal being a line further down.
    undone: str = ""


@dataclass
class PublicAccounts:
    """A project's public accounts: every line in and out, and totals that reconcile:
    ``residents + match − spent == balance == ledger balance == sum of its entries``."""

    lines: list[AccountLine] = field(default_factory=list)
    residents: int = 0
    match: int = 0
    spent: int = 0
    balance: int = 0
    ledger_balance: int = 0
    entries_sum: int = 0

    @property
    def reconciles(self) -> bool:
        return (
            self.residents + self.match - self.spent
            == self.balance
            == self.ledger_balance
            == self.entries_sum
        )


def public_accounts(project: Project) -> PublicAccounts:
    from .services import masked_name

    out = PublicAccounts()
    if project.account_id is None:
        return out
    T = MoneyTransfer.Kind
    payments = {p.transfer_id: p for p in Payment.objects.filter(project=project)}
    refunds_of = {str(p.pk): p for p in payments.values()}
    expenses = {e.transfer_id: e for e in Expense.objects.filter(project=project)}
    expense_by_pk = {str(e.pk): e for e in expenses.values()}
    rows = (
        MoneyTransfer.objects.filter(project=project, entries__account_id=project.account_id)
        .values_list(
            "pk", "kind", "stream", "at", "cause_id", "reverses_id", "entries__amount", "memo"
        )
        .order_by("at", "pk")
    )
    for pk, kind, stream, at, cause_id, reverses_id, amount, memo in rows:
        line = AccountLine(at=at, kind=kind, amount=amount, memo=memo)
        payment = payments.get(pk) or payments.get(reverses_id)
        if kind == T.REFUND:
            payment = refunds_of.get(cause_id)
        if stream == T.PAYMENT and payment is not None:
            line.channel = payment.channel
            line.who = payment.payer_name if payment.named else masked_name(payment.payer_name)
            line.receipt = bool(payment.receipt)
            line.source = ("payment", payment.pk)
            if pk == payment.transfer_id and payment.status != Payment.Status.PAID:
                line.undone = payment.get_status_display()
            out.residents += amount
        elif stream == T.MATCH:
            out.match += amount
        elif stream == T.EXPENSE:
            expense = expenses.get(pk) or expenses.get(reverses_id) or expense_by_pk.get(cause_id)
            if expense is not None:
                line.who, line.receipt = expense.payee, bool(expense.receipt)
                line.memo = line.memo or expense.description
                line.source = ("expense", expense.pk)
                if pk == expense.transfer_id and expense.status != Expense.Status.SPENT:
                    line.undone = expense.get_status_display()
            out.spent -= amount
        out.lines.append(line)
    out.balance = out.residents + out.match - out.spent
    out.ledger_balance = ledger.balance(project.account_id)
    out.entries_sum = ledger.entries_sum(project.account_id)
    return out
