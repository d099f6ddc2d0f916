"""Points under /api/v1/points/: balances, statements, leaderboards, rules, rewards.

A person reads their own points; staff read the people, rewards and leaderboards
of their scope (404 outside it). There is no endpoint that moves points from one
person to another or pays them out: neither is possible.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from shezhi.areas.selectors import get_area
from shezhi.core.apitypes import DayText, Flag, Id, Int32, Limit
from shezhi.core.apitypes import ErrorOut as Error
from shezhi.core.errors import BadInput
from shezhi.core.periods import Period

from . import causes, permissions, rules, selectors, services
from .models import Bucket, Redemption, Reward, RuleKind, Transfer

router = Router()


def _period(from_, to, *, today: date) -> Period:
    """A bad period is a 400 naming the period (the API's refusal handler answers it)."""
    try:
        return Period.of(from_, to, today=today)
    except ValueError as exc:
        raise BadInput(str(exc), field="period") from None


class BalancesOut(Schema):
    routine: int
    emergency: int
    other: int
    total: int


class TransferOut(Schema):
    id: int
    at: str
    kind: str
    bucket: str
    points: int
    rule: str
    cause_type: str
    cause_id: str
    cause_ref: str
    area: str = Field(description="code of the area where the points were earned or spent")
    reverses: int | None
    memo: str


# A statement's line: ``TransferOut``'s fields and the balance, as a plain pydantic model,
# validated in pydantic's core (a ninja ``Schema`` reads each of a long statement's
# thousands of lines through a Django getter, field by field: a third of its time).
class LineOut(BaseModel):
    id: int
    at: str
    kind: str
    bucket: str
    points: int
    rule: str
    cause_type: str
    cause_id: str
    cause_ref: str
    area: str = Field(description="code of the area where the points were earned or spent")
    reverses: int | None
    memo: str
    balance: int = Field(description="the person's total after this line")


class StatementOut(Schema):
    user: int
    name: str
    start: str | None
    end: str | None = Field(description="last day, inclusive")
    opening: int
    closing: int
    balances: BalancesOut
    lines: list[LineOut]
    next_cursor: str | None = Field(
        description="pass as `after` for the lines that follow; null: the last page"
    )


def _transfer(t: Transfer | selectors.LeanTransfer, shown: causes.Shown | None = None) -> dict:
    """A transfer as the API shows it. A private cause (an anonymous report) has no id
    and a neutral reference, except for its own person (``shown``)."""
    cause_id, cause_ref = t.cause_id, t.cause_ref
    if t.private_cause:
        cause_ref = shown.ref if shown else causes.neutral_text()
        if t.kind != Transfer.Kind.REVERSAL:  # a reversal's cause is the transfer it reverses
            cause_id = shown.subject_id if shown else ""
    return {
        "id": t.pk,
        "at": t.at.isoformat(),
        "kind": t.kind,
        "bucket": t.bucket,
        "points": t.points,
        "rule": t.rule,
        "cause_type": t.cause_type,
        "cause_id": cause_id,
        "cause_ref": cause_ref,
        "area": t.area.code,
        "reverses": t.reverses_id,
        "memo": t.memo,
    }


@router.get("/points/balance", response=BalancesOut, summary="My points, per bucket")
def my_balance(request: HttpRequest):
    return selectors.balances(request.user).as_dict()


class StatementQuery(Schema):
    user: Id | None = Field(None, description="whose statement (default: mine); staff: in scope")
    from_: DayText = Field("", alias="from", description="first day (YYYY-MM-DD); default: all")
    to: DayText = Field("", description="last day, inclusive (YYYY-MM-DD); default: today")
    limit: Limit = 100
    after: str = Field(
        "", max_length=200, description="the `next_cursor` of the page before: the lines after it"
    )


def _period_or_open(from_: str, to: str) -> tuple[date | None, date | None]:
    if not from_ and not to:
        return None, None
    period = _period(from_ or "2000-01-01", to, today=timezone.localdate())
    return (period.start if from_ else None), period.end


@router.get(
    "/points/statement",
    response={200: StatementOut, 400: Error},
    summary="A person's statement: each transfer with its cause and the running balance",
    description="Oldest first, a page at a time (`limit`, then `after` = `next_cursor`);"
    " `opening` and `closing` are the period's totals, each line's `balance` the total"
    " after it.",
)
def statement(request: HttpRequest, q: Query[StatementQuery]):
    person = request.user if q.user is None else selectors.get_person(request.user, q.user)
    start, end = _period_or_open(q.from_, q.to)
    s = selectors.statement_page(person, start=start, end=end, limit=q.limit, after=q.after or None)
    # Which anonymous report earned a line: for the person's own eyes only.
    shown = selectors.own_private_causes(person, s) if person.pk == request.user.pk else {}
    # Validated here, in one pass, and handed to ninja as the model it answers with (it
    # dumps an instance as it is; a dict it validates again from attributes, line by
    # line).
    return StatementOut.model_validate({
        "user": person.pk,
        "name": selectors.display_name(person),
        "start": start.isoformat() if start else None,
        "end": _last(end),
        "opening": s.opening,
        "closing": s.closing,
        "balances": s.balances.as_dict(),
        "next_cursor": s.next_cursor,
        "lines": [
            {**_transfer(line.transfer, shown.get(line.transfer.pk)), "balance": line.balance}
            for line in s.lines
        ],
    })  # fmt: skip


def _last(end: date | None) -> str | None:
    return Period(end, end).last.isoformat() if end else None


class LeaderboardQuery(Schema):
    area: str = Field(..., description="the area's code; in your scope")
    bucket: str = Field("", description="routine, emergency or other; default: all buckets")
    from_: DayText = Field("", alias="from", description="first day; default: this month's first")
    to: DayText = Field("", description="last day, inclusive; default: today")
    limit: int = Field(10, ge=1, le=100)


class RankedOut(Schema):
    rank: int
    user: int
    name: str
    points: int


class LeaderboardOut(Schema):
    area: str
    bucket: str
    start: str
    end: str
    ranking: list[RankedOut]


@router.get(
    "/points/leaderboard",
    response={200: LeaderboardOut, 400: Error},
    summary="People by points earned in an area, bucket and period (default: this month's top ten)",
)
def leaderboard(request: HttpRequest, q: Query[LeaderboardQuery]):
    area = selectors.points_area(request.user, q.area)
    if q.bucket and q.bucket not in Bucket.values:
        return Status(
            400,
            {
                "detail": _("The bucket is routine, emergency or other."),
                "code": "bad_input",
                "field": "bucket",
            },
        )
    today = timezone.localdate()
    period = _period(q.from_ or today.replace(day=1), q.to, today=today)
    ranking = selectors.leaderboard(
        area, start=period.start, end=period.end, bucket=q.bucket or None, limit=q.limit
    )
    return {
        "area": area.code,
        "bucket": q.bucket,
        "start": period.start.isoformat(),
        "end": period.last.isoformat(),
        "ranking": [
            {"rank": r.rank, "user": r.user_id, "name": r.name, "points": r.points} for r in ranking
        ],
    }


# --- piece rates -------------------------------------------------------------


class RuleOut(Schema):
    kind: str
    label: str
    bucket: str
    points: int
    daily_cap: int | None
    active: bool
    deduction: bool
    custom: bool = Field(description="false: the platform's default, not set by the district")


class RuleIn(Schema):
    bucket: str
    points: Int32
    daily_cap: Int32 | None = None
    active: Flag = True


def _rules(district) -> list[dict]:
    from .models import DEDUCTION_RULES

    labels = dict(RuleKind.choices)
    return [
        {
            "kind": r.kind,
            "label": str(labels[r.kind]),
            "bucket": r.bucket,
            "points": r.points,
            "daily_cap": r.daily_cap,
            "active": r.active,
            "deduction": r.kind in DEDUCTION_RULES,
            "custom": r.custom,
        }
        for r in rules.rates(district.pk)
    ]


@router.get(
    "/points/rules",
    response=list[RuleOut],
    summary="What each piece of work pays in a district",
)
def list_rules(request: HttpRequest, district: str):
    return _rules(selectors.rules_district(request.user, district))


@router.put(
    "/points/rules/{kind}",
    response={200: RuleOut, 400: Error, 403: Error},
    summary="Set a district's piece rate for one kind of work (district admins)",
)
def put_rule(request: HttpRequest, kind: str, district: str, body: RuleIn):
    area = selectors.rules_district(request.user, district)
    services.set_rule(
        actor=request.user,
        district=area,
        kind=kind,
        bucket=body.bucket,
        points=body.points,
        daily_cap=body.daily_cap,
        active=body.active,
    )
    return next(r for r in _rules(area) if r["kind"] == kind)


# --- rewards and redemptions -----------------------------------------------


class RewardOut(Schema):
    id: int
    area: str
    name: str
    kind: str
    description: str
    cost: int
    stock: int | None
    active: bool


class RewardIn(Schema):
    area: str = Field(description="code of the area that offers it (and everything below)")
    name: str
    kind: str = Field(description="goods, service or honour")
    cost: Int32
    stock: Int32 | None = Field(None, description="null: no limit")
    description: str = ""
    active: Flag = True


def _reward(r: Reward) -> dict:
    return {
        "id": r.pk,
        "area": r.area.code,
        "name": r.name,
        "kind": r.kind,
        "description": r.description,
        "cost": r.cost,
        "stock": r.stock,
        "active": r.active,
    }


@router.get("/points/rewards", response=list[RewardOut], summary="The rewards I can redeem")
def rewards(request: HttpRequest):
    return [_reward(r) for r in selectors.rewards_for(request.user)]


@router.get(
    "/points/rewards/managed", response=list[RewardOut], summary="Rewards offered in my scope"
)
def managed_rewards(request: HttpRequest):
    return [_reward(r) for r in selectors.managed_rewards(request.user)]


@router.post(
    "/points/rewards",
    response={201: RewardOut, 400: Error, 403: Error},
    summary="Offer a reward (community, street and district staff)",
)
def create_reward(request: HttpRequest, body: RewardIn):
    area = get_area(request.user, body.area)
    reward = services.save_reward(actor=request.user, area=area, **body.dict(exclude={"area"}))
    return Status(201, _reward(reward))


@router.put(
    "/points/rewards/{reward_id}",
    response={200: RewardOut, 400: Error, 403: Error},
    summary="Change a reward offered in my scope",
)
def update_reward(request: HttpRequest, reward_id: int, body: RewardIn):
    reward = selectors.get_managed_reward(request.user, reward_id)
    area = get_area(request.user, body.area)
    reward = services.save_reward(
        actor=request.user, area=area, reward=reward, **body.dict(exclude={"area"})
    )
    return _reward(reward)


class RedeemIn(Schema):
    quantity: Int32 = 1


class RedemptionOut(Schema):
    id: int
    reward: RewardOut
    user: int
    name: str
    quantity: int
    points: int
    status: str
    created_at: str
    transfer: int | None


def _redemption(r: Redemption) -> dict:
    return {
        "id": r.pk,
        "reward": _reward(r.reward),
        "user": r.user_id,
        "name": selectors.display_name(r.user),
        "quantity": r.quantity,
        "points": r.points,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "transfer": r.transfer_id,
    }


@router.post(
    "/points/rewards/{reward_id}/redeem",
    response={201: RedemptionOut, 400: Error, 409: Error},
    summary="Redeem my points for a reward (balance and stock checked together)",
)
def redeem(request: HttpRequest, reward_id: int, body: RedeemIn):
    reward = selectors.get_reward_for(request.user, reward_id)
    done = services.redeem(user=request.user, reward=reward, quantity=body.quantity)
    return Status(201, _redemption(done))


@router.get("/points/redemptions", response=list[RedemptionOut], summary="My redemptions")
def my_redemptions(request: HttpRequest):
    return [_redemption(r) for r in selectors.my_redemptions(request.user)[:200]]


@router.get(
    "/points/redemptions/managed",
    response=list[RedemptionOut],
    summary="Redemptions of rewards offered in my scope (to hand over)",
)
def managed_redemptions(request: HttpRequest, status: str = "redeemed"):
    permissions.require_points_staff(request.user)  # who redeemed what: staff only, else 404
    qs = selectors.managed_redemptions(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_redemption(r) for r in qs[:500]]


class ReasonIn(Schema):
    reason: str = ""


def _redemption_for(request, redemption_id: int) -> Redemption:
    """Mine, or one of my scope's; else 404."""
    own = selectors.my_redemptions(request.user).filter(pk=redemption_id).first()
    return own or selectors.get_managed_redemption(request.user, redemption_id)


@router.post(
    "/points/redemptions/{redemption_id}/cancel",
    response={200: RedemptionOut, 400: Error, 403: Error, 409: Error},
    summary="Cancel a redemption: the points and the stock come back",
)
def cancel(request: HttpRequest, redemption_id: int, body: ReasonIn):
    redemption = _redemption_for(request, redemption_id)
    done = services.cancel_redemption(actor=request.user, redemption=redemption, reason=body.reason)
    return _redemption(done)


@router.post(
    "/points/redemptions/{redemption_id}/hand-over",
    response={200: RedemptionOut, 403: Error, 409: Error},
    summary="Record that the reward was handed over (staff)",
)
def hand_over(request: HttpRequest, redemption_id: int):
    redemption = selectors.get_managed_redemption(request.user, redemption_id)
    done = services.hand_over(actor=request.user, redemption=redemption)
    return _redemption(done)


@router.post(
    "/points/transfers/{transfer_id}/reverse",
    response={201: TransferOut, 400: Error, 403: Error, 409: Error},
    summary="Reverse a mistaken award or deduction (staff over the area it was earned in)",
)
def reverse(request: HttpRequest, transfer_id: int, body: ReasonIn):
    transfer = selectors.get_transfer(request.user, transfer_id)
    done = services.reverse_transfer(actor=request.user, transfer=transfer, reason=body.reason)
    return Status(201, _transfer(done))
