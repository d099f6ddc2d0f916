"""Delivery: milestones, expenses (never more than the project holds), completion
and ratings."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from shezhi.core import photos as photo_processing
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden, NotAllowed

from .. import ledger, permissions
from ..models import (
    Backing,
    Expense,
    Payment,
    Project,
    Rating,
)
from ._common import (
    TEXT_MAX,
    TITLE_MAX,
    Kind,
    Stage,
    T,
    _fen,
    _locked,
    _now,
    _save,
    _text,
    yuan,
)

# ---------------------------------------------------------------------------
# Delivery


def add_milestone(*, actor, project: Project, title: str, due: date):
    from ..models import Milestone

    title = _text(title, TITLE_MAX, "title")
    if not isinstance(due, date):
        raise BadInput(_("Give a date."), field="due")
    if not permissions.can(actor, "deliver", project):
        raise Forbidden(_("Only the initiator or the community's staff plan milestones."))
    if project.stage not in (Stage.FUNDING, Stage.DELIVERY):
        raise NotAllowed(_("Milestones are planned once the project is approved."))
    with transaction.atomic(), set_actor(actor):
        return Milestone.objects.create(project=project, title=title, due=due)


def complete_milestone(*, actor, milestone, note: str = "", photo=None, at=None):
    note = _text(note, TEXT_MAX, "note", required=False)
    processed = photo_processing.process_photo(photo) if photo is not None else None
    if not permissions.can(actor, "deliver", milestone.project):
        raise Forbidden(_("Only the initiator or the community's staff report progress."))
    if milestone.done_at is not None:
        raise NotAllowed(_("This milestone is done already."))
    with transaction.atomic(), set_actor(actor):
        milestone.done_at, milestone.note = _now(at), note
        if processed is not None:
            milestone.photo.save(processed.content.name, processed.content, save=False)
        milestone.save()
    return milestone


def overspend_guard(project: Project, amount: int) -> None:
    """An expense never exceeds what the project holds (read under its lock)."""
    held = ledger.balance(project.account_id)
    if amount > held:
        raise BadInput(
            _("The project holds %(held)s; this expense is %(amount)s.")
            % {"held": yuan(held), "amount": yuan(amount)},
            field="amount",
        )


def record_expense(
    *,
    actor,
    project: Project,
    payee: str,
    description: str,
    amount: int,
    receipt=None,
    milestone=None,
    at: datetime | None = None,
) -> Expense:
    """Spend the project's money: with its payee and receipt photo, never more than the
    project holds."""
    now = _now(at)
    amount = _fen(amount, "amount")
    payee = _text(payee, 100, "payee")
    description = _text(description, 200, "description")
    if milestone is not None and milestone.project_id != project.pk:
        raise BadInput(_("The milestone is another project's."), field="milestone")
    processed = photo_processing.process_photo(receipt) if receipt is not None else None
    if not permissions.can(actor, "deliver", project):
        raise Forbidden(_("Only the initiator or the community's staff record expenses."))
    with transaction.atomic(), set_actor(actor):
        project = _locked(project)
        if project.stage != Stage.DELIVERY:
            raise NotAllowed(_("Money is spent only while the project is delivered."))
        overspend_guard(project, amount)
        expense = Expense(
            project=project,
            milestone=milestone,
            payee=payee,
            description=description,
            amount=amount,
            recorded_by=actor,
            at=now,
        )
        if processed is not None:
            expense.receipt.save(processed.content.name, processed.content, save=False)
        expense.save()
        expense.transfer = ledger.transfer(
            kind=T.EXPENSE,
            legs=[
                (project.account_id, -amount),
                (ledger.boundary_account(project.district_id, Kind.EXPENSES_OUT), amount),
            ],
            holding={project.account_id},
            cause_type="expense",
            cause_id=str(expense.pk),
            project=project,
            at=now,
            actor=actor,
        )
        Expense.objects.filter(pk=expense.pk).update(transfer=expense.transfer)
    return expense


def reverse_expense(*, actor, expense: Expense, reason: str, at=None) -> Expense:
    """An expense recorded in error: its money back on the project (a reversal)."""
    reason = _text(reason, 200, "reason")
    if not permissions.can(actor, "reverse", expense.project):
        raise Forbidden(_("Only the community's staff reverse expenses."))
    with transaction.atomic(), set_actor(actor):
        project = _locked(expense.project)
        expense = Expense.objects.select_related("transfer").get(pk=expense.pk)
        if expense.status != Expense.Status.SPENT:
            raise NotAllowed(_("This expense has been reversed already."))
        if project.stage != Stage.DELIVERY:
            raise NotAllowed(_("Expenses are reversed only while the project is delivered."))
        ledger.reverse(expense.transfer, at=_now(at), actor=actor, memo=reason, project=project)
        expense.status = Expense.Status.REVERSED
        expense.save(update_fields=["status"])
    return expense


def complete(*, actor, project: Project, closing_note: str, at=None) -> Project:
    closing_note = _text(closing_note, TEXT_MAX, "closing_note")
    if not permissions.can(actor, "deliver", project):
        raise Forbidden(_("Only the initiator or the community's staff complete the project."))
    with transaction.atomic(), set_actor(actor):
        project = _locked(project)
        if project.stage != Stage.DELIVERY:
            raise NotAllowed(_("Only a project being delivered is completed."))
        project.stage, project.closing_note, project.completed_at = (
            Stage.COMPLETED,
            closing_note,
            _now(at),
        )
        _save(project, "stage", "closing_note", "completed_at")
    return project


def rate(*, actor, project: Project, stars: int, comment: str = "", at=None) -> Rating:
    """A participant (who backed or paid) rates a completed project, once."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise BadInput(_("From one to five stars."), field="stars")
    comment = _text(comment, 200, "comment", required=False)
    if not permissions.can(actor, "rate", project):
        raise Forbidden(_("Only residents of the community rate its projects."))
    if project.stage != Stage.COMPLETED:
        raise NotAllowed(_("A project is rated once it is completed."))
    took_part = (
        Backing.objects.filter(project=project, resident=actor).exists()
        or Payment.objects.filter(project=project, payer=actor).exists()
        or project.initiator_id == actor.pk
    )
    if not took_part:
        raise Forbidden(_("Those who backed or paid for the project rate it."))
    if Rating.objects.filter(project=project, resident=actor).exists():
        raise NotAllowed(_("You have rated this project already."))
    with transaction.atomic(), set_actor(actor):
        return Rating.objects.create(
            project=project, resident=actor, stars=stars, comment=comment, at=_now(at)
        )
