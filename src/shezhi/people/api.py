"""The workforce under /api/v1/: people, assignments, teams, candidates, counts."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shezhi.areas import selectors as area_selectors
from shezhi.core.apitypes import Day, ErrorOut, Flag, Id, NotFoundOut, Paging

from . import selectors, services
from .masking import masked
from .models import Assignment, Person

router = Router()


class AssignmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    area_code: str
    area_name: str
    role: str
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str

    @staticmethod
    def resolve_person_name(obj: Assignment) -> str:
        return obj.person.name

    @staticmethod
    def resolve_area_code(obj: Assignment) -> str:
        return obj.area.code

    @staticmethod
    def resolve_area_name(obj: Assignment) -> str:
        return obj.area.name


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    area_code: str
    category: str
    force_type: str
    party_member: bool
    veteran: bool
    group_leader: bool
    employer: str
    phone: str = Field(description="masked: only the last four digits show")
    id_number: str = Field(description="masked: only the last four characters show")

    @staticmethod
    def resolve_area_code(obj: Person) -> str:
        return obj.area.code

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return masked("phone", obj.phone_last4)

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return masked("id_number", obj.id_number_last4)


class PersonDetailOut(PersonOut):
    assignments: list[AssignmentOut] = Field(description="current and past, newest first")

    @staticmethod
    def resolve_assignments(obj: Person):
        return list(selectors.assignment_history(obj))


class PeopleFilters(Schema):
    area: str = Field(..., description="code of the area whose people to list")
    category: str = ""
    force_type: str = ""
    role: str = ""
    party_member: Flag | None = None
    veteran: Flag | None = None
    group_leader: Flag | None = None
    q: str = ""


def _errors(exc: ValidationError) -> dict:
    """A service's refusal in the project's error shape, the first field named."""
    if hasattr(exc, "error_dict"):
        fields = exc.message_dict
        detail = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        return {"detail": detail, "code": "bad_input", "field": next(iter(fields), None)}
    return {"detail": " ".join(exc.messages), "code": "bad_input", "field": None}


@router.get("/people", response=list[PersonOut], summary="People of an area, filtered")
@paginate(Paging)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]):
    area = area_selectors.get_area(request.user, filters.area)
    data = filters.dict()
    data.pop("area")
    return selectors.people_in(request.user, area, **data).defer("phone", "id_number")


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person")
def person_detail(request: HttpRequest, person_id: int):
    return selectors.get_person(request.user, person_id)


class RevealIn(Schema):
    field: str = Field(description="phone or id_number")
    reason: str = Field(description="why you need to see it; recorded with your name")


class RevealOut(Schema):
    field: str
    value: str


@router.post(
    "/people/{person_id}/reveal",
    response={200: RevealOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Show one personal value in clear (audited)",
)
def reveal(request: HttpRequest, person_id: int, payload: RevealIn):
    person = selectors.get_person(request.user, person_id)
    try:
        value = services.reveal_personal_data(
            actor=request.user, person=person, field=payload.field, reason=payload.reason
        )
    except PermissionDenied:
        raise Http404 from None  # seeing the person is not the right to unmask them
    except ValidationError as exc:
        return Status(400, _errors(exc))
    return {"field": payload.field, "value": value}


class AssignmentIn(Schema):
    person_id: Id
    area: str = Field(description="area code")
    role: str
    started_on: Day | None = None


@router.post(
    "/assignments",
    response={201: AssignmentOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Assign a person to an area",
)
def create_assignment(request: HttpRequest, payload: AssignmentIn):
    person = selectors.get_person(request.user, payload.person_id)
    area = area_selectors.get_area(request.user, payload.area)
    if payload.role not in Assignment.Role.values:
        roles = ", ".join(Assignment.Role.values)
        return Status(
            400, {"detail": f"role: one of {roles}", "code": "bad_input", "field": "role"}
        )
    try:
        assignment = services.assign(
            actor=request.user,
            person=person,
            area=area,
            role=payload.role,
            started_on=payload.started_on,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return Status(400, _errors(exc))
    return Status(201, assignment)


class EndIn(Schema):
    ended_on: Day | None = None
    reason: str = ""


@router.post(
    "/assignments/{assignment_id}/end",
    response={200: AssignmentOut, 400: ErrorOut, 404: NotFoundOut},
    summary="End an assignment (kept as history)",
)
def end_assignment(request: HttpRequest, assignment_id: int, payload: EndIn):
    assignment = get_object_or_404(
        Assignment.objects.select_related("person", "area").filter(
            person__in=selectors.visible_people(request.user)
        ),
        pk=assignment_id,
    )
    try:
        return services.end_assignment(
            actor=request.user,
            assignment=assignment,
            ended_on=payload.ended_on,
            reason=payload.reason,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return Status(400, _errors(exc))


@router.get("/areas/{code}/team", response=list[AssignmentOut], summary="Who serves in an area now")
def team(request: HttpRequest, code: str):
    return selectors.current_assignments(area_selectors.get_area(request.user, code))


class CandidateOut(Schema):
    rank: int
    person: PersonOut
    reasons: list[str]


@router.get(
    "/areas/{code}/candidates",
    response=list[CandidateOut],
    summary="Candidates for a micro-grid's worker, by the three priorities",
)
def candidates(request: HttpRequest, code: str):
    area = area_selectors.get_area(request.user, code)
    return selectors.candidates_for(request.user, area)


class WorkforceCountsOut(Schema):
    category: dict[str, int]
    force_type: dict[str, int]
    total: int


@router.get("/areas/{code}/workforce", response=WorkforceCountsOut, summary="Workforce counts")
def workforce(request: HttpRequest, code: str):
    return selectors.workforce_counts(area_selectors.get_area(request.user, code))


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    district: str

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.code


@router.get("/departments", response=list[DepartmentOut], summary="Departments in scope")
def departments(request: HttpRequest):
    return selectors.visible_departments(request.user)
