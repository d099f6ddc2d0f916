"""Every write of micro-projects: the project's life and the money it moves.

Each function checks everything first (a refusal is a ``BadInput`` naming the field,
``NotAllowed`` for the wrong stage, ``Forbidden``), then writes in one transaction,
with the audit log's actor set. Money moves only through ``ledger``: a project's
money is changed under its row lock (``select_for_update`` on the project, then the
holding accounts in id order), so the stored balances, the project's ``paid_in`` and
``matched`` and the entries all move together.

Matching (配套资金): approval reserves the project's match cap from the community fund
into the project's reserve; as residents' money arrives the project draws from the
reserve up to ``match_target`` (one definition below); when residents' money goes back
(a refund, a payment reversed) the excess match goes back to the reserve; when
funding ends the unused reserve goes back to the fund. So the fund never pays more
than the ratio, and never more than it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import photos as photo_processing
from shezhi.core.errors import BadInput, Forbidden, KeyReused, NotAllowed
from shezhi.core.participation import Way, record_participation

from . import ledger, permissions
from .models import (
    Backing,
    BudgetLine,
    CommunityFund,
    DistrictProjectRules,
    Expense,
    MoneyAccount,
    MoneyTransfer,
    Payment,
    Pledge,
    Project,
    Rating,
)

Kind = MoneyAccount.Kind
T = MoneyTransfer.Kind
Stage = Project.Stage
TITLE_MAX = 100
TEXT_MAX = 2000
NAME_MAX = 50
# The most one movement may carry: 10 million yuan (a typo guard, far above any project).
AMOUNT_MAX = 1_000_000_000


# ---------------------------------------------------------------------------
# Input checks


def _text(value, limit: int, field: str, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(_("This must be text."), field=field)
    value = value.strip()
    if required and not value:
        raise BadInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise BadInput(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _fen(value, field: str) -> int:
    """A positive whole number of fen."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(_("An amount is a whole number of fen."), field=field)
    if value <= 0:
        raise BadInput(_("The amount must be more than zero."), field=field)
    if value > AMOUNT_MAX:
        raise BadInput(_("The amount is too large."), field=field)
    return value


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _district(area: Area) -> Area:
    return Area.objects.defer("boundary").get(path=area.path[: Area.steplen])


def _community(area: Area) -> Area:
    if c.LEVEL_INDEX[area.level] < c.LEVEL_INDEX[c.COMMUNITY]:
        raise BadInput(_("A project serves a community or a place inside one."), field="area")
    return Area.objects.defer("boundary").get(path=area.path[: 3 * Area.steplen])


def rules_for(district: Area) -> DistrictProjectRules:
    """The district's rules (the defaults until it sets its own)."""
    found = DistrictProjectRules.objects.filter(district=district).first()
    return found or DistrictProjectRules(district=district)


def match_target(project: Project, paid_in: int) -> int:
    """The community's match due when residents have paid ``paid_in`` fen in all:

        min(⌊paid_in × ratio_bp / 10000⌋, match_cap, funding_cap − paid_in), never below 0

    (residents' money comes first when both would pass the funding cap)."""
    return max(
        0,
        min(
            paid_in * project.match_ratio_bp // 10000,
            project.match_cap,
            project.funding_cap - paid_in,
        ),
    )


def _locked(project: Project) -> Project:
    """The project re-read under its row lock, its holding accounts locked too."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ledger.lock(project.account_id, project.reserve_id)
    return project


MONEY_COUNTERS = {"paid_in", "matched"}


def _save(project: Project, *fields: str) -> None:
    """Write ``fields``: the money counters by one UPDATE (the payment, refund or reversal
    that moved them is in the audit log with its actor), the rest through ``save`` so the
    audit log records who changed the stage."""
    counters = [f for f in fields if f in MONEY_COUNTERS]
    others = [f for f in fields if f not in MONEY_COUNTERS]
    if counters:
        Project.objects.filter(pk=project.pk).update(**{f: getattr(project, f) for f in counters})
    if others:
        project.save(update_fields=others)


# ---------------------------------------------------------------------------
# Rules and funds


def set_rules(
    *,
    actor,
    district: Area,
    backing_threshold: int,
    match_ratio_bp: int,
    match_cap: int,
    overfunding_pct: int,
) -> DistrictProjectRules:
    if district.level != c.DISTRICT:
        raise BadInput(_("Rules are set per district."), field="district")
    if not permissions.can(actor, "rules", district):
        raise Forbidden(_("Only the district's staff set its project rules."))
    for name, value, top in (
        ("backing_threshold", backing_threshold, 10_000),
        ("match_ratio_bp", match_ratio_bp, 100_000),
        ("match_cap", match_cap, AMOUNT_MAX),
        ("overfunding_pct", overfunding_pct, 100),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise BadInput(_("A whole number from 0 to %(n)s.") % {"n": top}, field=name)
    with transaction.atomic(), set_actor(actor):
        rules, _created = DistrictProjectRules.objects.update_or_create(
            district=district,
            defaults={
                "backing_threshold": backing_threshold,
                "match_ratio_bp": match_ratio_bp,
                "match_cap": match_cap,
                "overfunding_pct": overfunding_pct,
            },
        )
    return rules


def open_fund(*, actor, community: Area, name: str) -> CommunityFund:
    if community.level != c.COMMUNITY:
        raise BadInput(_("A fund belongs to a community."), field="community")
    name = _text(name, 100, "name")
    if not permissions.can(actor, "fund", community):
        raise Forbidden(_("Only the community's staff open its fund."))
    with transaction.atomic(), set_actor(actor):
        existing = CommunityFund.objects.filter(community=community).first()
        if existing is not None:
            return existing
        account = ledger.open_holding(Kind.FUND, community)
        return CommunityFund.objects.create(
            community=community, area_path=community.path, account=account, name=name
        )


def allocate(
    *, actor, fund: CommunityFund, amount: int, reference: str, at: datetime | None = None
) -> MoneyTransfer:
    """Money granted to a community's fund (from the district's budget); once per
    ``reference`` (the grant's document number)."""
    amount = _fen(amount, "amount")
    reference = _text(reference, 64, "reference")
    if not permissions.can(actor, "fund", fund.community):
        raise Forbidden(_("Only the community's staff record its fund's money."))
    existing = MoneyTransfer.objects.filter(
        cause_key=f"{T.ALLOCATION}:allocation:{fund.pk}:{reference}"
    ).first()
    if existing is not None:
        if existing.amount != amount:
            raise KeyReused(_("This reference was recorded with another amount."))
        return existing
    district_id = _district(fund.community).pk
    with transaction.atomic(), set_actor(actor):
        ledger.lock(fund.account_id)
        return ledger.transfer(
            kind=T.ALLOCATION,
            legs=[
                (ledger.boundary_account(district_id, Kind.ALLOCATIONS_IN), -amount),
                (fund.account_id, amount),
            ],
            holding={fund.account_id},
            cause_type="allocation",
            cause_id=f"{fund.pk}:{reference}",
            at=_now(at),
            actor=actor,
        )


# ---------------------------------------------------------------------------
# Proposal, backing, review


@dataclass(frozen=True)
class Line:
    kind: str
    description: str
    amount: int


def propose(
    *,
    actor,
    area: Area,
    title: str,
    problem: str,
    plan: str,
    budget: list,
    deadline: datetime,
    allow_overfunding: bool = False,
    organisation: str = "",
    at: datetime | None = None,
) -> Project:
    """A resident's proposal: its target is the sum of its budget lines (in fen)."""
    now = _now(at)
    title = _text(title, TITLE_MAX, "title")
    problem = _text(problem, TEXT_MAX, "problem")
    plan = _text(plan, TEXT_MAX, "plan")
    organisation = _text(organisation, 100, "organisation", required=False)
    if not isinstance(allow_overfunding, bool):
        raise BadInput(_("Yes or no."), field="allow_overfunding")
    if not isinstance(deadline, datetime) or deadline <= now:
        raise BadInput(_("The deadline must be a time in the future."), field="deadline")
    if not isinstance(budget, list | tuple) or not budget or len(budget) > 50:
        raise BadInput(_("Give one to fifty budget lines."), field="budget")
    lines = []
    for i, raw in enumerate(budget):
        raw = raw if isinstance(raw, dict) else getattr(raw, "__dict__", {})
        kind = raw.get("kind")
        if kind not in BudgetLine.Kind.values:
            raise BadInput(_("Unknown kind of budget line."), field=f"budget.{i}.kind")
        lines.append(
            Line(
                kind,
                _text(raw.get("description"), 200, f"budget.{i}.description"),
                _fen(raw.get("amount"), f"budget.{i}.amount"),
            )
        )
    target = sum(line.amount for line in lines)
    if target > AMOUNT_MAX:
        raise BadInput(_("The amount is too large."), field="budget")
    community = _community(area)
    if not permissions.can(actor, "propose", area):
        raise Forbidden(_("Only residents of the community propose its projects."))
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.create(
            title=title,
            area=area,
            area_path=area.path,
            community=community,
            district=_district(area),
            initiator=actor,
            organisation=organisation,
            problem=problem,
            plan=plan,
            target=target,
            deadline=deadline,
            allow_overfunding=allow_overfunding,
            created_at=now,
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, kind=li.kind, description=li.description, amount=li.amount)
            for li in lines
        )
        _took_part(project, actor, now)
    return project


def _took_part(project: Project, user, at: datetime) -> None:
    """The shared record of who took part (issue 16 §6): once per resident and project,
    whether they proposed, backed or paid."""
    record_participation(way=Way.PROJECT, area=project.area_path, at=at, source=project, user=user)


def back(*, actor, project: Project, at: datetime | None = None) -> bool:
    """附议: once per resident; returns False when they had backed it already. Reaching
    the district's threshold sends the project to review."""
    if not permissions.can(actor, "back", project):
        raise Forbidden(_("Only residents of the community back its projects."))
    threshold = rules_for(project.district).backing_threshold
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.stage != Stage.BACKING:
            raise NotAllowed(_("This project is not collecting backings."))
        try:
            with transaction.atomic():
                Backing.objects.create(project=project, resident=actor, at=_now(at))
        except IntegrityError:
            return False
        _took_part(project, actor, _now(at))
        project.backings += 1
        fields = ["backings"]
        if project.backings >= threshold:
            project.stage = Stage.REVIEW
            fields.append("stage")
        _save(project, *fields)
    return True


def resubmit(*, actor, project: Project) -> Project:
    """The initiator sends a returned project back to review."""
    if project.initiator_id != actor.pk:
        raise Forbidden(_("Only the initiator resubmits the project."))
    if project.stage != Stage.RETURNED:
        raise NotAllowed(_("Only a returned project is resubmitted."))
    with transaction.atomic(), set_actor(actor):
        project.stage = Stage.REVIEW
        _save(project, "stage")
    return project


def review(
    *, actor, project: Project, decision: str, reason: str = "", at: datetime | None = None
) -> Project:
    """Approve (fixes the match under the district's rules and reserves it from the
    community's fund), return with reasons, or refuse with reasons."""
    if decision not in ("approve", "return", "refuse"):
        raise BadInput(_("Approve, return or refuse."), field="decision")
    reason = _text(reason, TEXT_MAX, "reason", required=decision != "approve")
    if not permissions.can(actor, "review", project):
        raise Forbidden(_("Only the community's staff review its projects."))
    now = _now(at)
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.stage != Stage.REVIEW:
            raise NotAllowed(_("This project is not waiting for review."))
        project.review_reason, project.reviewed_by, project.reviewed_at = reason, actor, now
        if decision == "return":
            project.stage = Stage.RETURNED
        elif decision == "refuse":
            project.stage = Stage.REFUSED
        else:
            _approve(project, actor, now)
        project.save()
    return project


def _approve(project: Project, actor, now: datetime) -> None:
    fund = CommunityFund.objects.filter(community_id=project.community_id).first()
    if fund is None:
        raise BadInput(_("The community has no fund for matching yet."), field="fund")
    rules = rules_for(project.district)
    project.match_ratio_bp = rules.match_ratio_bp
    project.match_cap = min(rules.match_cap, project.target)
    project.funding_cap = (
        project.target * (100 + rules.overfunding_pct) // 100
        if project.allow_overfunding
        else project.target
    )
    held = ledger.lock(fund.account_id)[fund.account_id]
    if held < project.match_cap:
        raise BadInput(
            _("The fund holds %(held)s; this project's match needs %(cap)s.")
            % {"held": yuan(held), "cap": yuan(project.match_cap)},
            field="fund",
        )
    project.fund = fund
    project.account = ledger.open_holding(Kind.PROJECT, project.community)
    project.reserve = ledger.open_holding(Kind.RESERVE, project.community)
    project.stage = Stage.FUNDING
    project.save()
    if project.match_cap:
        ledger.lock(project.reserve_id)
        ledger.transfer(
            kind=T.RESERVE,
            legs=[(fund.account_id, -project.match_cap), (project.reserve_id, project.match_cap)],
            holding={fund.account_id, project.reserve_id},
            cause_type="project",
            cause_id=str(project.pk),
            project=project,
            at=now,
            actor=actor,
        )


# ---------------------------------------------------------------------------
# Crowdfunding


def pledge(
    *, actor, project: Project, amount: int, named: bool = False, at: datetime | None = None
) -> Pledge:
    amount = _fen(amount, "amount")
    if not isinstance(named, bool):
        raise BadInput(_("Yes or no."), field="named")
    if not permissions.can(actor, "pledge", project):
        raise Forbidden(_("Only residents of the community pledge to its projects."))
    if project.stage != Stage.FUNDING:
        raise NotAllowed(_("This project is not crowdfunding."))
    with transaction.atomic(), set_actor(actor):
        return Pledge.objects.create(
            project=project, resident=actor, amount=amount, named=named, at=_now(at)
        )


@dataclass(frozen=True)
class Recorded:
    payment: Payment
    created: bool


def _adjust_match(project: Project, now: datetime, actor) -> None:
    """Draw from the reserve, or give back to it, until ``matched`` is the target."""
    due = match_target(project, project.paid_in) - project.matched
    if due == 0:
        return
    n = MoneyTransfer.objects.filter(project=project, stream=T.MATCH).count()
    if due > 0:
        kind, legs = T.MATCH, [(project.reserve_id, -due), (project.account_id, due)]
    else:
        kind, legs = T.MATCH_RETURN, [(project.account_id, due), (project.reserve_id, -due)]
    ledger.transfer(
        kind=kind,
        stream=T.MATCH,
        legs=legs,
        holding={project.reserve_id, project.account_id},
        cause_type="project",
        cause_id=f"{project.pk}:{n}",
        project=project,
        at=now,
        actor=actor,
    )
    project.matched += due


def _release(project: Project, now: datetime, actor) -> None:
    """The unused reserve back to the fund (funding has ended)."""
    left = ledger.balance(project.reserve_id)
    if left:
        ledger.lock(project.fund.account_id)
        ledger.transfer(
            kind=T.RELEASE,
            legs=[(project.reserve_id, -left), (project.fund.account_id, left)],
            holding={project.reserve_id, project.fund.account_id},
            cause_type="project",
            cause_id=str(project.pk),
            project=project,
            at=now,
            actor=actor,
        )


def raised(project: Project) -> int:
    """Money the project has raised: residents' net payments + the community's match."""
    return project.paid_in + project.matched


def record_payment(
    *,
    actor,
    project: Project,
    payer_name: str,
    amount: int,
    channel: str,
    reference: str = "",
    payer=None,
    named: bool = False,
    pledge: Pledge | None = None,
    receipt=None,
    at: datetime | None = None,
) -> Recorded:
    """Record a resident's payment (the channel's reference, or for cash a receipt
    photo) and draw the match it earns. Idempotent on (channel, reference): recording
    the same reference again returns the first payment; with another project or amount
    it is refused (``KeyReused``)."""
    now = _now(at)
    amount = _fen(amount, "amount")
    if channel not in Payment.Channel.values:
        raise BadInput(_("Unknown payment channel."), field="channel")
    reference = _text(reference, 64, "reference", required=channel != Payment.Channel.CASH)
    payer_name = _text(payer_name, NAME_MAX, "payer_name")
    if not isinstance(named, bool):
        raise BadInput(_("Yes or no."), field="named")
    if pledge is not None and pledge.project_id != project.pk:
        raise BadInput(_("The pledge is for another project."), field="pledge")
    if reference:
        existing = Payment.objects.filter(channel=channel, reference=reference).first()
        if existing is not None:
            if existing.project_id != project.pk or existing.amount != amount:
                raise KeyReused(_("This reference was recorded for another payment."))
            return Recorded(existing, False)
    if channel == Payment.Channel.CASH and receipt is None:
        raise BadInput(_("A cash payment needs its receipt photo."), field="receipt")
    processed = photo_processing.process_photo(receipt) if receipt is not None else None
    if not permissions.can(actor, "record_payment", project):
        raise Forbidden(_("Only the initiator or the community's staff record payments."))
    try:
        with transaction.atomic(), set_actor(actor):
            project = _locked(project)
            _check_funding_open(project, now)
            if raised(project) + amount > project.funding_cap:
                raise BadInput(
                    _("At most %(left)s more can be taken.")
                    % {"left": yuan(max(0, project.funding_cap - raised(project)))},
                    field="amount",
                )
            payment = Payment(
                project=project,
                payer=payer,
                payer_name=payer_name,
                named=named,
                pledge=pledge,
                amount=amount,
                channel=channel,
                reference=reference,
                recorded_by=actor,
                at=now,
            )
            if processed is not None:
                payment.receipt.save(processed.content.name, processed.content, save=False)
            payment.save()
            payment.transfer = ledger.transfer(
                kind=T.PAYMENT,
                legs=[
                    (ledger.boundary_account(project.district_id, Kind.PAYMENTS_IN), -amount),
                    (project.account_id, amount),
                ],
                holding={project.account_id},
                cause_type="payment",
                cause_id=str(payment.pk),
                project=project,
                at=now,
                actor=actor,
            )
            Payment.objects.filter(pk=payment.pk).update(transfer=payment.transfer)
            project.paid_in += amount
            if payer is not None:
                _took_part(project, payer, now)
            _adjust_match(project, now, actor)
            fields = ["paid_in", "matched"]
            if raised(project) >= project.funding_cap:
                project.stage = Stage.DELIVERY
                _release(project, now, actor)
                fields.append("stage")
            _save(project, *fields)
    except IntegrityError:
        # The same reference recorded by another request at the same moment.
        if reference:
            existing = Payment.objects.filter(channel=channel, reference=reference).first()
            if existing is not None and existing.project_id == project.pk:
                if existing.amount == amount:
                    return Recorded(existing, False)
                raise KeyReused(_("This reference was recorded for another payment.")) from None
        raise
    return Recorded(payment, True)


def _check_funding_open(project: Project, now: datetime) -> None:
    if project.stage != Stage.FUNDING:
        raise NotAllowed(_("This project is not crowdfunding."))
    if now > project.deadline:
        raise NotAllowed(_("The project's deadline has passed."))


def _take_back(payment: Payment, project: Project, *, how: str, actor, now, memo: str) -> None:
    """Refund (money goes back to the resident) or reverse (recorded in error) one
    payment, then give back the match it had earned."""
    if how == "refund":
        ledger.transfer(
            kind=T.REFUND,
            stream=T.PAYMENT,
            legs=[
                (project.account_id, -payment.amount),
                (ledger.boundary_account(project.district_id, Kind.REFUNDS_OUT), payment.amount),
            ],
            holding={project.account_id},
            cause_type="payment",
            cause_id=str(payment.pk),
            project=project,
            at=now,
            actor=actor,
            memo=memo,
        )
        payment.status = Payment.Status.REFUNDED
    else:
        ledger.reverse(payment.transfer, at=now, actor=actor, memo=memo, project=project)
        payment.status = Payment.Status.REVERSED
    payment.save(update_fields=["status"])
    project.paid_in -= payment.amount
    _adjust_match(project, now, actor)


def refund_payment(*, actor, payment: Payment, reason: str, at: datetime | None = None) -> Payment:
    return _undo_payment(actor=actor, payment=payment, reason=reason, at=at, how="refund")


def reverse_payment(*, actor, payment: Payment, reason: str, at: datetime | None = None) -> Payment:
    return _undo_payment(actor=actor, payment=payment, reason=reason, at=at, how="reverse")


def _undo_payment(*, actor, payment, reason, at, how) -> Payment:
    reason = _text(reason, 200, "reason")
    project = payment.project
    if not permissions.can(actor, how, project):
        raise Forbidden(_("Only the community's staff refund or reverse payments."))
    now = _now(at)
    with transaction.atomic(), set_actor(actor):
        project = _locked(project)
        payment = Payment.objects.select_related("transfer").get(pk=payment.pk)
        if payment.status != Payment.Status.PAID:
            raise NotAllowed(_("This payment has been refunded or reversed already."))
        if project.stage != Stage.FUNDING:
            raise NotAllowed(_("Payments are refunded or reversed only while crowdfunding."))
        _take_back(payment, project, how=how, actor=actor, now=now, memo=reason)
        _save(project, "paid_in", "matched")
    return payment


def close_funding(*, actor, project: Project, at: datetime | None = None) -> Project:
    """End crowdfunding early once the target is reached; delivery starts."""
    if not permissions.can(actor, "deliver", project):
        raise Forbidden(_("Only the initiator or the community's staff close funding."))
    now = _now(at)
    with transaction.atomic(), set_actor(actor):
        project = _locked(project)
        if project.stage != Stage.FUNDING:
            raise NotAllowed(_("This project is not crowdfunding."))
        if raised(project) < project.target:
            raise NotAllowed(_("The project has not reached its target."))
        project.stage = Stage.DELIVERY
        _release(project, now, actor)
        _save(project, "stage")
    return project


def expire_due(*, now: datetime | None = None) -> list[int]:
    """Every crowdfunding project past its deadline: delivered if it reached its target,
    else every payment refunded exactly and the match returned (one transaction per
    project). Returns the ids of the projects that expired."""
    now = _now(now)
    expired = []
    for pk in Project.objects.filter(stage=Stage.FUNDING, deadline__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            project = _locked(Project(pk=pk))
            if project.stage != Stage.FUNDING or project.deadline >= now:
                continue
            if raised(project) >= project.target:
                project.stage = Stage.DELIVERY
            else:
                for payment in Payment.objects.filter(
                    project=project, status=Payment.Status.PAID
                ).select_related("transfer"):
                    _take_back(payment, project, how="refund", actor=None, now=now, memo="deadline")
                project.stage = Stage.EXPIRED
                expired.append(pk)
            _release(project, now, None)
            _save(project, "stage", "paid_in", "matched")
    return expired


# ---------------------------------------------------------------------------
# Delivery


def add_milestone(*, actor, project: Project, title: str, due: date):
    from .models import Milestone

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


# ---------------------------------------------------------------------------
# Display


def yuan(fen: int) -> str:
    """Fen shown as yuan with two decimals: 123456 → "¥1,234.56" (no floats)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def masked_name(name: str) -> str:
    """A payer's name as the public accounts show it: the first character, then one
    star (张三 → 张*, 欧阳娜娜 → 欧*)."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else "*"
