"""Self-governance organisations under /api/v1/organisations.

- ``GET /organisations``: the registry in scope (the staff of the area), keyset-paged,
  newest first; ``?area=`` (a code in scope), ``?stage=``, ``?kind=``.
- ``POST /organisations``: register one (staff of the area).
- ``GET /organisations/{id}``: the registry's record, members masked (张**); 404 outside
  scope. ``GET /organisations/{id}/public``: anyone: counts and the leader's masked name.
- ``POST /organisations/{id}/members`` (a resident or a person joins),
  ``/members/{member_id}/leave``, ``/stage`` (a move by the transition table),
  ``/supports``, ``/activities``, ``/demand-groups``: the staff of the area.
- ``GET /organisations/funnel?area=``: the incubation funnel (those who read the area's
  statistics). A refusal is a 400 naming the field; an object outside scope a 404.
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.core.apitypes import AreaRef, Day, ErrorOut, Id, KeysetPaging, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.core.periods import Period
from shezhi.demands.models import DemandGroup
from shezhi.households.models import Resident
from shezhi.people.models import Person
from shezhi.places.models import ServicePost
from shezhi.volunteering.models import VolunteerActivity

from . import permissions, selectors, services
from .models import Kind, Member, Organisation, Stage, Support

router = Router()

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
STAGES = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
ROLES = Literal[tuple(Member.Role.values)]  # type: ignore[valid-type]
SUPPORTS = Literal[tuple(Support.Kind.values)]  # type: ignore[valid-type]
# The funnel lists its children's stages above the communities.
FUNNEL_LEVELS = ("district", "street")
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut}


def _area_ref(a: Area) -> dict:
    return {"code": a.code, "name": a.name, "level": a.level}


class OrganisationIn(Schema):
    kind: KINDS  # type: ignore[valid-type]
    name: str = Field(max_length=services.NAME_MAX)
    area: str = Field(max_length=30, description="the code of a community, grid or micro-grid")
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    founded_on: Day | None = None
    stage: STAGES = "sprout"  # type: ignore[valid-type]
    reason: str = Field("", max_length=services.REASON_MAX)


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    stage: str
    stage_since: dt.date
    founded_on: dt.date
    area: AreaRef

    @staticmethod
    def resolve_area(o) -> dict:
        return o["area"] if isinstance(o, dict) else _area_ref(o.area)


class MemberOut(Schema):
    id: int
    name: str = Field(description="masked: the surname and stars")
    source: str = Field(description="resident or person")
    role: str
    joined_on: dt.date
    left_on: dt.date | None


class StageMoveOut(Schema):
    from_stage: str
    to_stage: str
    on: dt.date
    reason: str


class SupportOut(Schema):
    id: int
    kind: str
    on: dt.date
    post: int | None = Field(None, alias="post_id")
    amount_fen: int
    note: str


class OrganisationDetailOut(OrganisationOut):
    description: str
    members: list[MemberOut]
    moves: list[StageMoveOut]
    supports: list[SupportOut]
    activities: list[int]
    demand_groups: list[int]


class PublicOut(Schema):
    id: int
    kind: str
    name: str
    stage: str
    area: AreaRef
    members: int = Field(description="current members")
    leader: str = Field(description="the leader's masked name; empty without one")
    activities: int


class RegistryQuery(Schema):
    area: str = Field("", max_length=30, description="an area's code in your scope")
    stage: STAGES | None = None  # type: ignore[valid-type]
    kind: KINDS | None = None  # type: ignore[valid-type]


class MemberIn(Schema):
    resident: Id | None = None
    person: Id | None = None
    role: ROLES = "member"  # type: ignore[valid-type]
    joined_on: Day | None = None


class LeaveIn(Schema):
    left_on: Day | None = None


class OrgStageIn(Schema):
    stage: STAGES  # type: ignore[valid-type]
    on: Day | None = None
    reason: str = Field("", max_length=services.REASON_MAX)


class SupportIn(Schema):
    kind: SUPPORTS  # type: ignore[valid-type]
    on: Day | None = None
    post: Id | None = None
    amount_fen: int = Field(0, ge=0, le=services.AMOUNT_MAX_FEN, description="integer fen")
    note: str = Field("", max_length=services.NOTE_MAX)


class OrgActivityIn(Schema):
    activity: Id


class DemandGroupIn(Schema):
    group: Id
    on: Day | None = None


class FunnelQuery(Schema):
    area: str = Field(..., max_length=30, description="an area's code whose figures you read")
    start: Day | None = Field(None, alias="from", description="first day; default 1 January")
    end: Day | None = Field(None, alias="to", description="last day; default today")


class FunnelChildOut(Schema):
    area: AreaRef
    stages: dict[str, int]


class FunnelOut(Schema):
    area: AreaRef
    start: dt.date
    end: dt.date = Field(description="the last day, inclusive")
    total: int
    stages: dict[str, int] = Field(description="organisations at each stage now")
    reached: dict[str, int] = Field(description="organisations at this stage or beyond")
    registered: int = Field(description="organisations registered in the period")
    forward: dict[str, int] = Field(description="moves forward in the period, by stage reached")
    back: int = Field(description="moves back in the period")
    children: list[FunnelChildOut]


def _detail(org: Organisation) -> dict:
    return {
        "id": org.pk,
        "kind": org.kind,
        "name": org.name,
        "stage": org.stage,
        "stage_since": org.stage_since,
        "founded_on": org.founded_on,
        "area": _area_ref(org.area),
        "description": org.description,
        "members": [
            {
                "id": r.member.pk,
                "name": r.name,
                "source": r.source,
                "role": r.member.role,
                "joined_on": r.member.joined_on,
                "left_on": r.member.left_on,
            }
            for r in selectors.member_rows(org)
        ],
        "moves": list(org.moves.order_by("on", "pk")),
        "supports": list(org.supports.all()),
        "activities": list(org.activities.values_list("activity_id", flat=True)),
        "demand_groups": list(org.demands.values_list("group_id", flat=True)),
    }


def _managed(user, pk) -> Organisation:
    org = selectors.get_organisation(user, pk)
    if not permissions.can(user, "manage", org):
        raise Http404("No such organisation.")
    return org


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], 400: ErrorOut, 404: NotFoundOut},
    summary="The registry of self-governance organisations in scope",
)
@paginate(KeysetPaging)
def list_organisations(request: HttpRequest, filters: Query[RegistryQuery]):
    area = None
    if filters.area:
        area = Area.objects.defer("boundary").filter(code=filters.area).first()
        if area is None or not permissions.can(request.user, "view", area):
            raise Http404("No such area.")
    return (
        selectors.registry(
            request.user, area=area, stage=filters.stage or "", kind=filters.kind or ""
        )
        .select_related("area")
        .order_by("-id")
    )


@router.post(
    "/organisations",
    response={201: OrganisationOut, **WRITE_ERRORS},
    summary="Register an organisation (staff of the area)",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    area = Area.objects.defer("boundary").filter(code=payload.area).first()
    if area is None or not permissions.can(request.user, "manage", area):
        raise Http404("No such area.")
    org = services.register_organisation(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        area=area,
        description=payload.description,
        founded_on=payload.founded_on,
        stage=payload.stage,
        reason=payload.reason,
    )
    return Status(201, org)


@router.get(
    "/organisations/funnel",
    response={200: FunnelOut, 400: ErrorOut, 404: NotFoundOut},
    summary="The incubation funnel of an area: organisations per stage, moves in a period",
)
def funnel(request: HttpRequest, q: Query[FunnelQuery]):
    area = selectors.get_count_area(request.user, q.area)
    today = timezone.localdate()
    try:
        period = Period.of(q.start, q.end, today=today)
    except ValueError as e:
        raise BadInput(str(e), field="from") from None
    children = []
    if area.level in FUNNEL_LEVELS:
        children = list(area_selectors.children(request.user, area).defer("boundary"))
    f = selectors.funnel(area, period, children)
    return {
        "area": _area_ref(area),
        "start": period.start,
        "end": period.last,
        "total": f.total,
        "stages": f.stages,
        "reached": f.reached,
        "registered": f.registered,
        "forward": f.forward,
        "back": f.back,
        "children": [{"area": _area_ref(a), "stages": s} for a, s in f.children],
    }


@router.get(
    "/organisations/{org_id}",
    response={200: OrganisationDetailOut, 404: NotFoundOut},
    summary="An organisation's record: members (masked), moves, support, activities, demands",
)
def organisation_detail(request: HttpRequest, org_id: Id):
    return _detail(selectors.get_organisation(request.user, org_id))


@router.get(
    "/organisations/{org_id}/public",
    response={200: PublicOut, 404: NotFoundOut},
    summary="An organisation's public face: counts and the leader's masked name",
    auth=None,
)
def organisation_public(request: HttpRequest, org_id: Id):
    org = selectors.get_public_organisation(org_id)
    return {
        "id": org.pk,
        "kind": org.kind,
        "name": org.name,
        "stage": org.stage,
        "area": _area_ref(org.area),
        "members": selectors.member_counts([org.pk])[org.pk],
        "leader": selectors.leader_names([org.pk]).get(org.pk, ""),
        "activities": org.activities.count(),
    }


@router.post(
    "/organisations/{org_id}/members",
    response={201: MemberOut, **WRITE_ERRORS},
    summary="A resident or a person joins (staff)",
)
def add_member(request: HttpRequest, org_id: Id, payload: MemberIn):
    org = _managed(request.user, org_id)
    resident = person = None
    if payload.resident is not None:
        resident = (
            Resident.objects.select_related("household__micro_grid")
            .filter(pk=payload.resident)
            .first()
        )
        if resident is None:
            raise BadInput(_("No such resident in your areas."), field="resident")
    if payload.person is not None:
        person = Person.objects.select_related("area").filter(pk=payload.person).first()
        if person is None:
            raise BadInput(_("No such person in your areas."), field="person")
    m = services.add_member(
        actor=request.user,
        organisation=org,
        resident=resident,
        person=person,
        role=payload.role,
        joined_on=payload.joined_on,
    )
    row = next(r for r in selectors.member_rows(org) if r.member.pk == m.pk)
    return Status(
        201,
        {
            "id": m.pk,
            "name": row.name,
            "source": row.source,
            "role": m.role,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
        },
    )


@router.post(
    "/organisations/{org_id}/members/{member_id}/leave",
    response={200: OrganisationDetailOut, **WRITE_ERRORS},
    summary="A member leaves (staff)",
)
def leave(request: HttpRequest, org_id: Id, member_id: Id, payload: LeaveIn):
    org = _managed(request.user, org_id)
    member = selectors.get_member(org, member_id)
    services.end_membership(actor=request.user, member=member, left_on=payload.left_on)
    return _detail(org)


@router.post(
    "/organisations/{org_id}/stage",
    response={200: OrganisationDetailOut, **WRITE_ERRORS},
    summary="Move the incubation stage: one forward, or back with the reason (staff)",
)
def move_stage(request: HttpRequest, org_id: Id, payload: OrgStageIn):
    org = _managed(request.user, org_id)
    services.move_stage(
        actor=request.user,
        organisation=org,
        to_stage=payload.stage,
        on=payload.on,
        reason=payload.reason,
    )
    return _detail(org)


@router.post(
    "/organisations/{org_id}/supports",
    response={201: SupportOut, **WRITE_ERRORS},
    summary="Record support received: space, money (fen), training, mentoring (staff)",
)
def add_support(request: HttpRequest, org_id: Id, payload: SupportIn):
    org = _managed(request.user, org_id)
    post = None
    if payload.post is not None:
        post = ServicePost.objects.filter(pk=payload.post).first()
        if post is None:
            raise BadInput(_("No such service post."), field="post")
    s = services.record_support(
        actor=request.user,
        organisation=org,
        kind=payload.kind,
        on=payload.on,
        post=post,
        amount_fen=payload.amount_fen,
        note=payload.note,
    )
    return Status(201, s)


@router.post(
    "/organisations/{org_id}/activities",
    response={200: OrganisationDetailOut, **WRITE_ERRORS},
    summary="Link a volunteer activity the organisation held (staff)",
)
def link_activity(request: HttpRequest, org_id: Id, payload: OrgActivityIn):
    org = _managed(request.user, org_id)
    activity = VolunteerActivity.objects.filter(pk=payload.activity).first()
    if activity is None:
        raise BadInput(_("No such activity."), field="activity")
    services.link_activity(actor=request.user, organisation=org, activity=activity)
    return _detail(org)


@router.post(
    "/organisations/{org_id}/demand-groups",
    response={200: OrganisationDetailOut, **WRITE_ERRORS},
    summary="Take on a demand group of the organisation's community (staff)",
)
def take_on_demand(request: HttpRequest, org_id: Id, payload: DemandGroupIn):
    org = _managed(request.user, org_id)
    group = DemandGroup.objects.filter(pk=payload.group).first()
    if group is None:
        raise BadInput(_("No such demand group."), field="group")
    services.take_on_demand(actor=request.user, organisation=org, group=group, on=payload.on)
    return _detail(org)
