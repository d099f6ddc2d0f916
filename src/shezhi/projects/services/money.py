"""Money in: district rules and community funds, pledges, payments (idempotent on
their channel's reference), the match drawn and given back, refunds, reversals,
closing and deadline expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import photos as photo_processing
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden, KeyReused, NotAllowed

from .. import ledger, permissions
from ..models import (
    CommunityFund,
    DistrictProjectRules,
    MoneyTransfer,
    Payment,
    Pledge,
    Project,
)
from . import payment_sql
from ._common import (
    AMOUNT_MAX,
    NAME_MAX,
    Kind,
    Stage,
    T,
    _district,
    _fen,
    _locked,
    _now,
    _save,
    _text,
    _took_part,
    yuan,
)

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
    it is refused (``KeyReused``), whatever else would refuse it."""
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
    # No look for the reference first (a round trip per payment): the insert finds a
    # reference recorded already, and a refusal looks for it before refusing, so the
    # answers are those of looking first.
    try:
        recorded = _record_payment(
            actor=actor, project=project, payer_name=payer_name, amount=amount,
            channel=channel, reference=reference, payer=payer, named=named, pledge=pledge,
            receipt=receipt, now=now,
        )  # fmt: skip
    except (BadInput, Forbidden, NotAllowed, IntegrityError):
        # IntegrityError: the same reference recorded by another request at the same moment.
        found = _recorded_already(project, amount, channel, reference)
        if found is None:
            raise
        return found
    return recorded or _recorded_already(project, amount, channel, reference)


def _recorded_already(project, amount, channel, reference) -> Recorded | None:
    if not reference:
        return None
    existing = Payment.objects.filter(channel=channel, reference=reference).first()
    if existing is None:
        return None
    if existing.project_id != project.pk or existing.amount != amount:
        raise KeyReused(_("This reference was recorded for another payment."))
    return Recorded(existing, False)


def _record_payment(
    *, actor, project, payer_name, amount, channel, reference, payer, named, pledge, receipt, now
) -> Recorded | None:
    """The payment written (None: its reference was recorded already)."""
    if channel == Payment.Channel.CASH and receipt is None:
        raise BadInput(_("A cash payment needs its receipt photo."), field="receipt")
    processed = photo_processing.process_photo(receipt) if receipt is not None else None
    if not permissions.can(actor, "record_payment", project):
        raise Forbidden(_("Only the initiator or the community's staff record payments."))
    one_statement = payment_sql.usable()
    with transaction.atomic(), set_actor(actor):
        if one_statement:
            project, *ids = payment_sql.locked_with_ids(project.pk)
        else:
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
        if one_statement:
            due = match_target(project, project.paid_in + amount) - project.matched
            if not payment_sql.write(project, payment, due=due, ids=ids, now=now, actor=actor):
                return None
            if payer is not None:
                _took_part(project, payer, now)
        else:
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
        if one_statement:
            fields.remove("paid_in")  # written by the statement
            fields.remove("matched")
        _save(project, *fields)
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
