"""Campaigns under /api/v1/campaigns.

- ``GET /campaigns`` (keyset-paged, in scope), ``POST /campaigns`` (the area's staff);
  ``GET /campaigns/{id}``: the campaign, its five stages with their figures counted now
  and the actions' counts; ``POST /campaigns/{id}/stage``: the next stage (or back,
  with a note).
- Rounds: ``POST /campaigns/{id}/rounds``; ``GET /campaigns/rounds/{id}``;
  ``POST /campaigns/rounds/{id}/stops`` (a street address; a wish becomes a demand).
- Broadcasts: ``POST /campaigns/{id}/broadcasts`` (reach in the answer);
  ``GET /campaigns/broadcasts/{id}`` (staff: reach, reads, answers; a resident it was
  sent to: the notice and question); ``POST /campaigns/broadcasts/{id}/answer``.
- Packages: ``POST /campaigns/{id}/packages``; ``GET /campaigns/packages/{id}`` with
  its counts; ``POST /campaigns/packages/{id}/take-ups`` (once per household).
- Results: ``GET|POST /campaigns/{id}/results``; ``POST /campaigns/results/{id}/publish``.
- ``GET /campaigns/figures``: each stage figure's one definition (its formula).

Objects outside the caller's scope are 404; bad input a 400 naming the field.
"""

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas.models import Area
from shezhi.core.api import created
from shezhi.core.apitypes import AreaRef, ErrorOut, Id, KeysetPaging, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.households import selectors as household_selectors

from . import hooks, permissions, selectors, services
from .models import Broadcast, Campaign, Package, Result, Round, Stage, TakeUp

router = Router()

WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}
STAGES = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
KINDS = Literal[services.DEMAND_KINDS]  # type: ignore[valid-type]
ANSWERS = Literal[tuple(TakeUp.Answer.values)]  # type: ignore[valid-type]


def _area_ref(a: Area) -> dict:
    return {"code": a.code, "name": a.name, "level": a.level}


def _area(user, code: str, action: str = "view") -> Area:
    """An area named by its code, in the caller's scope (else 404)."""
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None or not permissions.can(user, action, area):
        raise Http404("No such area.")
    return area


class CampaignIn(Schema):
    name: str = Field(max_length=services.NAME_MAX)
    area: str = Field(max_length=30, description="the code of a district, street or community")
    starts_on: dt.date
    ends_on: dt.date
    summary: str = Field("", max_length=services.TEXT_MAX)


class CampaignOut(Schema):
    id: int
    name: str
    area: AreaRef
    starts_on: dt.date
    ends_on: dt.date
    stage: str
    summary: str

    @staticmethod
    def resolve_area(c) -> dict:
        return c["area"] if isinstance(c, dict) else _area_ref(c.area)


class FigureOut(Schema):
    key: str
    label: str
    count: int


class StageOut(Schema):
    stage: str
    label: str
    current: bool
    done: bool
    moved_at: dt.datetime | None
    figures: list[FigureOut]


class CampaignDetailOut(CampaignOut):
    stages: list[StageOut]
    counts: dict[str, int]


class CampaignStageIn(Schema):
    stage: STAGES  # type: ignore[valid-type]
    note: str = Field("", max_length=200)


class RoundIn(Schema):
    title: str = Field(max_length=services.NAME_MAX)
    area: str = Field(max_length=30)
    day: dt.date
    workers: list[Id] = Field(max_length=200, description="user ids of those going")


class RoundOut(Schema):
    id: int
    campaign: int
    title: str
    area: AreaRef
    day: dt.date
    status: str
    visits: int
    stops: int


class StopIn(Schema):
    address: str = Field(max_length=200, description="stored encrypted")
    wish: str = Field("", max_length=services.TEXT_MAX)
    kind: KINDS = "other"  # type: ignore[valid-type]


class BroadcastIn(Schema):
    area: str = Field(max_length=30)
    tag: str = Field("", max_length=40, description="only residents with this plain tag")
    title: str = Field(max_length=services.NAME_MAX)
    body: str = Field(max_length=services.TEXT_MAX)
    question: str = Field(max_length=200)
    kind: KINDS = "other"  # type: ignore[valid-type]


class BroadcastOut(Schema):
    id: int
    campaign: int
    title: str
    body: str
    question: str
    sent_at: dt.datetime
    reach: int | None = Field(None, description="residents addressed (staff only)")
    read: int | None = Field(None, description="of them, who opened it (staff only)")
    answers: int | None = Field(None, description="answers received (staff only)")
    answered: bool | None = Field(None, description="the caller answered (residents)")


class AnswerIn(Schema):
    text: str = Field(max_length=services.TEXT_MAX)
    anonymous: bool = False


class AnswerOut(Schema):
    id: int
    broadcast: int
    text: str
    at: dt.datetime


class PackageIn(Schema):
    name: str = Field(max_length=services.NAME_MAX)
    contents: str = Field(max_length=services.TEXT_MAX)
    area: str = Field(max_length=30)


class PackageOut(Schema):
    id: int
    campaign: int
    name: str
    contents: str
    area: AreaRef
    taken: int
    refused: int


class TakeUpIn(Schema):
    household: Id
    answer: ANSWERS  # type: ignore[valid-type]
    reason: str = Field("", max_length=200)


class TakeUpOut(Schema):
    id: int
    package: int
    household: int
    answer: str
    at: dt.datetime


class FigureIn(Schema):
    label: str = Field(max_length=40)
    value: int = Field(ge=0, le=2**31 - 1)


class ResultIn(Schema):
    title: str = Field(max_length=services.NAME_MAX)
    summary: str = Field(max_length=2000)
    figures: list[FigureIn] = Field(default_factory=list, max_length=12)
    publish: bool = False
    cases: list[int] = Field(default_factory=list, max_length=20)


class ResultOut(Schema):
    id: int
    campaign: int
    title: str
    summary: str
    figures: list[dict]
    cases: list[int]
    published_at: dt.datetime | None


def _round_out(r: Round) -> dict:
    return {
        "id": r.pk, "campaign": r.campaign_id, "title": r.title, "area": _area_ref(r.area),
        "day": r.day, "status": r.status, "visits": r.visits.count(), "stops": r.stops.count(),
    }  # fmt: skip


def _broadcast_out(b: Broadcast, staff: bool, answered: bool | None = None) -> dict:
    out = {
        "id": b.pk, "campaign": b.campaign_id, "title": b.title, "body": b.body,
        "question": b.question, "sent_at": b.sent_at, "answered": answered,
    }  # fmt: skip
    if staff:
        n = selectors.broadcast_counts([b])[b.pk]
        out.update(reach=n.reach, read=n.read, answers=n.answers)
    return out


def _package_out(p: Package) -> dict:
    n = selectors.package_counts([p])[p.pk]
    return {
        "id": p.pk, "campaign": p.campaign_id, "name": p.name, "contents": p.contents,
        "area": _area_ref(p.area), "taken": n.taken, "refused": n.refused,
    }  # fmt: skip


def _result_out(r: Result) -> dict:
    return {
        "id": r.pk, "campaign": r.campaign_id, "title": r.title, "summary": r.summary,
        "figures": r.figures, "cases": [c.pk for c in r.cases.all()],
        "published_at": r.published_at,
    }  # fmt: skip


def _detail(c: Campaign) -> dict:
    return {
        "id": c.pk, "name": c.name, "area": _area_ref(c.area), "starts_on": c.starts_on,
        "ends_on": c.ends_on, "stage": c.stage, "summary": c.summary,
        "stages": [
            {
                "stage": s.stage, "label": s.label, "current": s.current, "done": s.done,
                "moved_at": s.moved_at,
                "figures": [{"key": k, "label": lab, "count": n} for k, lab, n in s.figures],
            }
            for s in selectors.board(c)
        ],
        "counts": selectors.campaign_counts(c),
    }  # fmt: skip


# --- sub-resources first: their paths are not campaign ids ----------------------------


class FigureDefinitionOut(Schema):
    stage: str
    key: str
    label: str
    definition: str = Field(description="the figure's one definition, with its formula")


@router.get(
    "/campaigns/figures",
    response=list[FigureDefinitionOut],
    summary="What each stage's figure counts (its formula)",
)
def figure_definitions(request: HttpRequest):
    return [
        {"stage": f.stage, "key": f.key, "label": str(f.label),
         "definition": " ".join(str(f.definition or "").split())}
        for f in hooks.stage_figures()
    ]  # fmt: skip


@router.get("/campaigns/rounds/{round_id}", response={200: RoundOut, 404: NotFoundOut})
def round_detail(request: HttpRequest, round_id: Id):
    return _round_out(selectors.get_round(request.user, round_id))


@router.post(
    "/campaigns/rounds/{round_id}/stops",
    response={201: RoundOut, **WRITE_ERRORS},
    summary="A stop at a street address on a round (a wish becomes a demand)",
)
def record_stop(request: HttpRequest, round_id: Id, payload: StopIn):
    r = selectors.get_round(request.user, round_id)
    services.record_stop(
        actor=request.user, round=r, address=payload.address, wish=payload.wish,
        kind=payload.kind,
    )  # fmt: skip
    return Status(201, _round_out(r))


def _broadcast_for(user, pk) -> tuple[Broadcast, bool]:
    b = selectors.visible_broadcasts(user).filter(pk=pk).first()
    if b is not None:
        return b, True
    return selectors.received_broadcast(user, pk), False


@router.get("/campaigns/broadcasts/{broadcast_id}", response={200: BroadcastOut, 404: NotFoundOut})
def broadcast_detail(request: HttpRequest, broadcast_id: Id):
    b, staff = _broadcast_for(request.user, broadcast_id)
    answered = None if staff else selectors.my_answer(request.user, b) is not None
    return _broadcast_out(b, staff, answered)


@router.post(
    "/campaigns/broadcasts/{broadcast_id}/answer",
    response={201: AnswerOut, **WRITE_ERRORS},
    summary="Answer a broadcast's question (a resident it was sent to; once)",
)
def answer_broadcast(request: HttpRequest, broadcast_id: Id, payload: AnswerIn):
    return created(
        request, selectors.received_broadcast, broadcast_id, services.answer_broadcast,
        into="broadcast", payload=payload,
        out=lambda a: {"id": a.pk, "broadcast": a.broadcast_id, "text": a.text, "at": a.at},
    )  # fmt: skip


@router.get("/campaigns/packages/{package_id}", response={200: PackageOut, 404: NotFoundOut})
def package_detail(request: HttpRequest, package_id: Id):
    return _package_out(selectors.get_package(request.user, package_id))


@router.post(
    "/campaigns/packages/{package_id}/take-ups",
    response={201: TakeUpOut, **WRITE_ERRORS},
    summary="A household's answer to a package: taken or refused, once",
)
def take_up(request: HttpRequest, package_id: Id, payload: TakeUpIn):
    p = selectors.get_package(request.user, package_id)
    household = (
        household_selectors.visible_households(request.user).filter(pk=payload.household).first()
    )
    t = services.record_take_up(
        actor=request.user, package=p, household=household, answer=payload.answer,
        reason=payload.reason,
    )  # fmt: skip
    return Status(
        201,
        {"id": t.pk, "package": p.pk, "household": t.household_id, "answer": t.answer, "at": t.at},
    )


@router.post(
    "/campaigns/results/{result_id}/publish",
    response={200: ResultOut, **WRITE_ERRORS},
    summary="Publish a result (staff)",
)
def publish_result(request: HttpRequest, result_id: Id):
    r = selectors.get_result(request.user, result_id)
    return _result_out(services.publish_result(actor=request.user, result=r))


# --- campaigns --------------------------------------------------------------------------


@router.get("/campaigns", response={200: list[CampaignOut], 400: ErrorOut}, summary="Campaigns")
@paginate(KeysetPaging)
def list_campaigns(request: HttpRequest):
    return selectors.visible_campaigns(request.user).order_by("-id")


@router.post(
    "/campaigns", response={201: CampaignOut, **WRITE_ERRORS}, summary="Start a campaign (staff)"
)
def create_campaign(request: HttpRequest, payload: CampaignIn):
    c = services.create_campaign(
        actor=request.user, name=payload.name, area=_area(request.user, payload.area, "manage"),
        starts_on=payload.starts_on, ends_on=payload.ends_on, summary=payload.summary,
    )  # fmt: skip
    return Status(201, c)


@router.get("/campaigns/{campaign_id}", response={200: CampaignDetailOut, 404: NotFoundOut})
def campaign_detail(request: HttpRequest, campaign_id: Id):
    return _detail(selectors.get_campaign(request.user, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/stage",
    response={200: CampaignDetailOut, **WRITE_ERRORS},
    summary="Move the campaign to the next stage (or back, with a note)",
)
def move_stage(request: HttpRequest, campaign_id: Id, payload: CampaignStageIn):
    c = selectors.get_campaign(request.user, campaign_id)
    services.move_stage(actor=request.user, campaign=c, stage=payload.stage, note=payload.note)
    return _detail(c)


@router.post(
    "/campaigns/{campaign_id}/rounds",
    response={201: RoundOut, **WRITE_ERRORS},
    summary="Open a 小红帽 door-to-door round (staff)",
)
def open_round(request: HttpRequest, campaign_id: Id, payload: RoundIn):
    user = request.user
    c = selectors.get_campaign(user, campaign_id)
    workers = list(get_user_model().objects.filter(pk__in=payload.workers, is_active=True))
    if len(workers) != len(set(payload.workers)):
        raise BadInput(_("No such user."), field="workers")
    r = services.open_round(
        actor=user, campaign=c, title=payload.title, area=_area(user, payload.area),
        day=payload.day, workers=workers,
    )  # fmt: skip
    return Status(201, _round_out(r))


@router.post(
    "/campaigns/{campaign_id}/broadcasts",
    response={201: BroadcastOut, **WRITE_ERRORS},
    summary="Send a 小广播 broadcast to the residents of an area (staff)",
)
def send_broadcast(request: HttpRequest, campaign_id: Id, payload: BroadcastIn):
    return created(
        request, selectors.get_campaign, campaign_id, services.send_broadcast,
        into="campaign", payload=payload,
        extra=lambda _c: {"area": _area(request.user, payload.area)},
        out=lambda b: _broadcast_out(b, True),
    )  # fmt: skip


@router.post(
    "/campaigns/{campaign_id}/packages",
    response={201: PackageOut, **WRITE_ERRORS},
    summary="Offer a 安居包 package to the households of an area (staff)",
)
def create_package(request: HttpRequest, campaign_id: Id, payload: PackageIn):
    return created(
        request, selectors.get_campaign, campaign_id, services.create_package,
        into="campaign", payload=payload,
        extra=lambda _c: {"area": _area(request.user, payload.area)}, out=_package_out,
    )  # fmt: skip


@router.get(
    "/campaigns/{campaign_id}/results",
    response={200: list[ResultOut], 404: NotFoundOut},
    summary="A campaign's results",
)
def list_results(request: HttpRequest, campaign_id: Id):
    c = selectors.get_campaign(request.user, campaign_id)
    return [_result_out(r) for r in c.results.prefetch_related("cases").order_by("-id")[:200]]


@router.post(
    "/campaigns/{campaign_id}/results",
    response={201: ResultOut, **WRITE_ERRORS},
    summary="Add a result (staff)",
)
def add_result(request: HttpRequest, campaign_id: Id, payload: ResultIn):
    return created(
        request, selectors.get_campaign, campaign_id, services.add_result,
        into="campaign", payload=payload, out=_result_out,
    )  # fmt: skip
