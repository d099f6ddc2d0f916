"""Micro-projects under /api/v1/projects (and /api/v1/project-funds, the review queue).

Reads are scoped (``selectors``): a project outside the caller's scope is a 404. Writes
go through ``services`` (one transaction each, audited); a refusal is a 400 naming the
field (403 not allowed, 409 wrong stage, 422 a reference reused for another payment).
Money is integer fen in and out; the public accounts list every line and the totals
that reconcile to the ledger.
"""

import copy
import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas.models import Area
from shezhi.core.apitypes import ErrorOut, Id, KeysetPaging, NotFoundOut, ValidationErrorOut
from shezhi.core.errors import BadInput

from . import selectors, services
from .models import BudgetLine, Payment, Project

router = Router()
WRITE_ERRORS = {
    400: ErrorOut,
    403: ErrorOut,
    404: NotFoundOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}
Fen = int
STAGES = Literal[tuple(Project.Stage.values)]  # type: ignore[valid-type]
LINE_KINDS = Literal[tuple(BudgetLine.Kind.values)]  # type: ignore[valid-type]
CHANNELS = Literal[tuple(Payment.Channel.values)]  # type: ignore[valid-type]


class ProjectOut(Schema):
    id: int
    title: str
    stage: str
    area: str = Field(description="the area's code")
    target: Fen
    raised: Fen = Field(description="residents' net payments + the community's match")
    paid_in: Fen
    matched: Fen
    backings: int
    deadline: dt.datetime
    match_ratio_bp: int
    match_cap: Fen
    funding_cap: Fen

    @staticmethod
    def resolve_area(p: Project) -> str:
        return p.area.code

    @staticmethod
    def resolve_raised(p: Project) -> int:
        return p.paid_in + p.matched


class LineIn(Schema):
    kind: LINE_KINDS  # type: ignore[valid-type]
    description: str = Field(max_length=200)
    amount: Fen = Field(gt=0, le=services.AMOUNT_MAX)


class ProjectProposalIn(Schema):
    area: str = Field(max_length=30, description="an area's code (a community or inside one)")
    title: str = Field(max_length=services.TITLE_MAX)
    problem: str = Field(max_length=services.TEXT_MAX)
    plan: str = Field(max_length=services.TEXT_MAX)
    budget: list[LineIn] = Field(max_length=50)
    deadline: dt.datetime
    allow_overfunding: bool = False
    organisation: str = Field("", max_length=100)


class ReviewIn(Schema):
    decision: Literal["approve", "return", "refuse"]
    reason: str = Field("", max_length=services.TEXT_MAX)


class PledgeIn(Schema):
    amount: Fen = Field(gt=0, le=services.AMOUNT_MAX)
    named: bool = False


class PaymentIn(Schema):
    payer_name: str = Field(max_length=services.NAME_MAX, description="stored encrypted")
    amount: Fen = Field(gt=0, le=services.AMOUNT_MAX)
    channel: CHANNELS  # type: ignore[valid-type]
    reference: str = Field("", max_length=64, description="the bank's or gateway's reference")
    named: bool = False


class PaymentOut(Schema):
    id: int
    amount: Fen
    channel: str
    status: str
    payer: str = Field(description="masked (张*) unless the payer chose to be named")
    created: bool = True

    @staticmethod
    def resolve_payer(p: Payment) -> str:
        return p.payer_name if p.named else services.masked_name(p.payer_name)


class PaymentLineIn(Schema):
    payer_name: str = Field(max_length=services.NAME_MAX, description="stored encrypted")
    amount: Fen = Field(gt=0, le=services.AMOUNT_MAX)
    channel: Literal["bank", "wechat", "alipay"] = Field(
        description="cash needs its receipt photo: recorded one at a time"
    )
    reference: str = Field(min_length=1, max_length=64)
    named: bool = False


class PaymentBatchIn(Schema):
    lines: list[PaymentLineIn] = Field(min_length=1, max_length=services.BATCH_MAX)


class PaymentBatchOut(Schema):
    created: int = Field(description="lines recorded now")
    recorded_already: int = Field(description="lines whose reference was recorded before")
    payments: list[PaymentOut] = Field(description="one per line, in order")


class RefusedLineOut(Schema):
    line: int = Field(description="the line's number, from 1")
    field: str
    code: str
    detail: str


class PaymentBatchRefusedOut(Schema):
    detail: str
    code: str
    field: str | None = Field(None, description="lines.<index from 0>.<field> of the first")
    lines: list[RefusedLineOut] = Field(
        default_factory=list, description="every refused line; nothing was written"
    )


class MoneyReasonIn(Schema):
    reason: str = Field(max_length=200)


class ExpenseIn(Schema):
    payee: str = Field(max_length=100)
    description: str = Field(max_length=200)
    amount: Fen = Field(gt=0, le=services.AMOUNT_MAX)


class ExpenseOut(Schema):
    id: int
    payee: str
    description: str
    amount: Fen
    status: str


class MilestoneIn(Schema):
    title: str = Field(max_length=services.TITLE_MAX)
    due: dt.date


class MilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    done_at: dt.datetime | None


class CompleteIn(Schema):
    closing_note: str = Field(max_length=services.TEXT_MAX)


class RatingIn(Schema):
    stars: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=200)


class AccountLineOut(Schema):
    at: dt.datetime
    kind: str
    amount: Fen
    channel: str
    who: str
    receipt: bool
    memo: str


class AccountsOut(Schema):
    lines: list[AccountLineOut]
    residents: Fen
    match: Fen
    spent: Fen
    balance: Fen
    ledger_balance: Fen
    entries_sum: Fen
    reconciles: bool


class FundOut(Schema):
    id: int
    name: str
    community: str
    balance: Fen

    @staticmethod
    def resolve_community(f) -> str:
        return f.community.code

    @staticmethod
    def resolve_balance(f) -> int:
        return f.account.balance


class ProjectQuery(Schema):
    stage: STAGES | None = None  # type: ignore[valid-type]


@router.get(
    "/projects", response={200: list[ProjectOut], 400: ErrorOut}, summary="Projects in scope"
)
@paginate(KeysetPaging)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]):
    qs = selectors.visible_projects(request.user).select_related("area")
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    return qs.order_by("-id")


@router.post("/projects", response={201: ProjectOut, **WRITE_ERRORS}, summary="Propose a project")
def propose(request: HttpRequest, payload: ProjectProposalIn):
    area = Area.objects.defer("boundary").filter(code=payload.area).first()
    if area is None:
        raise BadInput(_("No such area."), field="area")
    project = services.propose(
        actor=request.user,
        area=area,
        title=payload.title,
        problem=payload.problem,
        plan=payload.plan,
        budget=[line.dict() for line in payload.budget],
        deadline=payload.deadline,
        allow_overfunding=payload.allow_overfunding,
        organisation=payload.organisation,
    )
    return Status(201, project)


@router.get("/projects/{project_id}", response={200: ProjectOut, 404: NotFoundOut})
def project_detail(request: HttpRequest, project_id: Id):
    return selectors.get_project(request.user, project_id)


def _project(request, pk) -> Project:
    return selectors.get_project(request.user, pk)


@router.post("/projects/{project_id}/back", response={200: ProjectOut, **WRITE_ERRORS})
def back(request: HttpRequest, project_id: Id):
    """附议: once per resident (a second time changes nothing)."""
    services.back(actor=request.user, project=_project(request, project_id))
    return _project(request, project_id)


@router.post("/projects/{project_id}/review", response={200: ProjectOut, **WRITE_ERRORS})
def review(request: HttpRequest, project_id: Id, payload: ReviewIn):
    services.review(
        actor=request.user,
        project=_project(request, project_id),
        decision=payload.decision,
        reason=payload.reason,
    )
    return _project(request, project_id)


@router.post("/projects/{project_id}/resubmit", response={200: ProjectOut, **WRITE_ERRORS})
def resubmit(request: HttpRequest, project_id: Id):
    return services.resubmit(actor=request.user, project=_project(request, project_id))


@router.post("/projects/{project_id}/pledges", response={201: dict, **WRITE_ERRORS})
def pledge(request: HttpRequest, project_id: Id, payload: PledgeIn):
    p = services.pledge(
        actor=request.user,
        project=_project(request, project_id),
        amount=payload.amount,
        named=payload.named,
    )
    return Status(201, {"id": p.pk, "amount": p.amount})


@router.post(
    "/projects/{project_id}/payments",
    response={201: PaymentOut, 200: PaymentOut, **WRITE_ERRORS},
    summary="Record a payment (idempotent on channel + reference); cash needs the page",
)
def record_payment(request: HttpRequest, project_id: Id, payload: PaymentIn):
    done = services.record_payment(
        actor=request.user,
        project=_project(request, project_id),
        payer_name=payload.payer_name,
        amount=payload.amount,
        channel=payload.channel,
        reference=payload.reference,
        named=payload.named,
    )
    done.payment.created = done.created
    return Status(201 if done.created else 200, done.payment)


@router.post(
    "/projects/{project_id}/payments/batch",
    response={200: PaymentBatchOut, **WRITE_ERRORS, 400: PaymentBatchRefusedOut},
    summary="Record a batch of payments (a settlement file) in one transaction",
)
def record_payments(request: HttpRequest, project_id: Id, payload: PaymentBatchIn):
    """Every line or none: a refused line (its number, field and reason in ``lines``)
    refuses the batch. Each line is idempotent on channel + reference as a single
    payment is."""
    project = _project(request, project_id)
    try:
        done = services.record_payments(
            actor=request.user,
            lines=[{**line.dict(), "project": project.pk} for line in payload.lines],
        )
    except services.LinesRefused as exc:
        return Status(
            400,
            {"detail": exc.message, "code": exc.code, "field": exc.field, "lines": exc.lines},
        )
    payments = []
    for r in done:
        payment = copy.copy(r.payment)  # two lines may answer with one payment
        payment.created = r.created
        payments.append(payment)
    created = sum(r.created for r in done)
    return {"created": created, "recorded_already": len(done) - created, "payments": payments}


def _payment(request, project_id, payment_id) -> Payment:
    project = _project(request, project_id)
    payment = Payment.objects.filter(project=project, pk=payment_id).first()
    if payment is None:
        raise Http404("No such payment.")
    return payment


@router.post(
    "/projects/{project_id}/payments/{payment_id}/refund",
    response={200: PaymentOut, **WRITE_ERRORS},
)
def refund(request: HttpRequest, project_id: Id, payment_id: Id, payload: MoneyReasonIn):
    payment = _payment(request, project_id, payment_id)
    return services.refund_payment(actor=request.user, payment=payment, reason=payload.reason)


@router.post(
    "/projects/{project_id}/payments/{payment_id}/reverse",
    response={200: PaymentOut, **WRITE_ERRORS},
)
def reverse(request: HttpRequest, project_id: Id, payment_id: Id, payload: MoneyReasonIn):
    payment = _payment(request, project_id, payment_id)
    return services.reverse_payment(actor=request.user, payment=payment, reason=payload.reason)


@router.post("/projects/{project_id}/close-funding", response={200: ProjectOut, **WRITE_ERRORS})
def close_funding(request: HttpRequest, project_id: Id):
    services.close_funding(actor=request.user, project=_project(request, project_id))
    return _project(request, project_id)


@router.post("/projects/{project_id}/milestones", response={201: MilestoneOut, **WRITE_ERRORS})
def add_milestone(request: HttpRequest, project_id: Id, payload: MilestoneIn):
    m = services.add_milestone(
        actor=request.user,
        project=_project(request, project_id),
        title=payload.title,
        due=payload.due,
    )
    return Status(201, m)


@router.post(
    "/projects/{project_id}/expenses",
    response={201: ExpenseOut, **WRITE_ERRORS},
    summary="Record an expense (never more than the project holds); receipts on the page",
)
def record_expense(request: HttpRequest, project_id: Id, payload: ExpenseIn):
    e = services.record_expense(
        actor=request.user,
        project=_project(request, project_id),
        payee=payload.payee,
        description=payload.description,
        amount=payload.amount,
    )
    return Status(201, e)


@router.post("/projects/{project_id}/complete", response={200: ProjectOut, **WRITE_ERRORS})
def complete(request: HttpRequest, project_id: Id, payload: CompleteIn):
    services.complete(
        actor=request.user, project=_project(request, project_id), closing_note=payload.closing_note
    )
    return _project(request, project_id)


@router.post("/projects/{project_id}/ratings", response={201: dict, **WRITE_ERRORS})
def rate(request: HttpRequest, project_id: Id, payload: RatingIn):
    r = services.rate(
        actor=request.user,
        project=_project(request, project_id),
        stars=payload.stars,
        comment=payload.comment,
    )
    return Status(201, {"id": r.pk, "stars": r.stars})


@router.get(
    "/projects/{project_id}/accounts",
    response={200: AccountsOut, 404: NotFoundOut},
    summary="The public accounts: every line in and out, totals reconciled to the ledger",
)
def accounts(request: HttpRequest, project_id: Id):
    acc = selectors.public_accounts(_project(request, project_id))
    return {**acc.__dict__, "reconciles": acc.reconciles}


@router.get("/project-review-queue", response={200: list[ProjectOut], 400: ErrorOut})
@paginate(KeysetPaging)
def review_queue(request: HttpRequest):
    return selectors.review_queue(request.user).select_related("area").order_by("-id")


@router.get("/project-funds", response={200: list[FundOut], 400: ErrorOut})
@paginate(KeysetPaging)
def funds(request: HttpRequest):
    return selectors.visible_funds(request.user).order_by("-id")
