"""Volunteer activities under /api/v1/volunteering/…

Public reads (upcoming activities, one activity) need a signed-in caller like
the rest of the API; the staff's routes (publish, edit, cancel, roster,
attendance, the current check-in code) answer 404 for an activity or post
outside the caller's scope. A service's refusal is one JSON answer
``{"detail", "code", "field"}`` with the error's status; the codes are stable
(activity_full, already_signed_up, not_signed_up, too_early, token_expired,
token_invalid, activity_ended, activity_started, activity_cancelled,
not_checked_in, bad_input, forbidden, not_allowed).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from shezhi.core.apitypes import ErrorOut, Id, Int32, Moment, NotFoundOut

from . import qr, selectors, services
from .models import Signup, VolunteerActivity

router = Router()

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut}


# ---------------------------------------------------------------------------
# Schemas


class PostRef(Schema):
    id: int
    name: str
    lng: float
    lat: float


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    post: PostRef
    area_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    slots: int
    slots_left: int
    status: str
    distance_m: float | None = Field(None, description="to the post, when lng/lat were given")


class SignupOut(Schema):
    id: int
    activity_id: int
    status: str
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes: int
    hours: float
    points: int | None = Field(None, description="awarded at check-out; null before or for 0 min")


class ActivityDetailOut(ActivityOut):
    my_signup: SignupOut | None


class MySignupOut(SignupOut):
    activity: ActivityOut


class RosterRowOut(Schema):
    signup_id: int
    name: str = Field(description="the volunteer's name (never a phone number)")
    status: str
    attendance: str = Field(description="signed_up, checked_in, checked_out or cancelled")
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    check_out_method: str
    minutes: int
    points: int | None


class RosterOut(Schema):
    activity: ActivityOut
    rows: list[RosterRowOut]


class ScanIn(Schema):
    token: str = Field(description="the token in the code's URL (/volunteering/scan/<token>/)")
    action: Literal["check_in", "check_out"] | None = Field(
        None,
        description="what the volunteer confirmed; a repeated check_in never checks out."
        " Omitted: check in, or check out when checked in.",
    )


class ScanOut(Schema):
    action: str
    already: bool = Field(description="true: this was done before, nothing written now")
    activity: ActivityOut
    signup: SignupOut


class ActivityIn(Schema):
    post_id: Id
    title: str
    description: str = ""
    starts_at: Moment
    ends_at: Moment
    slots: Int32


class ActivityEditIn(Schema):
    title: str | None = None
    description: str | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    slots: Int32 | None = None


class CancelIn(Schema):
    reason: str = ""


class AttendanceQuery(Schema):
    at: Moment | None = Field(None, description="default now (check-out: the end if earlier)")


class CodeOut(Schema):
    token: str
    url: str
    svg_data_uri: str
    expires_at: dt.datetime


class UpcomingFilters(Schema):
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    post_id: Id | None = None
    limit: int = Field(50, ge=1, le=selectors.UPCOMING_MAX)


class ManagedFilters(Schema):
    when: Literal["upcoming", "past", ""] = ""
    post_id: Id | None = None


# ---------------------------------------------------------------------------
# Serialising


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def activity_out(a: VolunteerActivity) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "description": a.description,
        "post": {"id": a.post_id, "name": a.post.name, "lng": a.post.lng, "lat": a.post.lat},
        "area_code": a.area.code,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "slots": a.slots,
        "slots_left": a.slots_left,
        "status": a.status,
        "distance_m": getattr(a, "distance_m", None),
    }


def signup_out(s: Signup) -> dict:
    return {
        "id": s.pk,
        "activity_id": s.activity_id,
        "status": s.status,
        "signed_up_at": s.signed_up_at,
        "checked_in_at": s.checked_in_at,
        "checked_out_at": s.checked_out_at,
        "minutes": s.minutes,
        "hours": s.hours,
        "points": s.transfer.points if s.transfer_id else None,
    }


# ---------------------------------------------------------------------------
# Volunteers


@router.get(
    "/volunteering/activities",
    response=list[ActivityOut],
    summary="Upcoming volunteer activities (soonest first, or nearest given lng/lat)",
)
def list_upcoming(request: HttpRequest, filters: Query[UpcomingFilters]):
    near = None
    if filters.lng is not None and filters.lat is not None:
        near = (filters.lng, filters.lat)
    rows = selectors.upcoming(near=near, post=filters.post_id, limit=filters.limit)
    return [activity_out(a) for a in rows]


@router.get(
    "/volunteering/activities/{activity_id}",
    response={200: ActivityDetailOut, 404: NotFoundOut},
    summary="One activity, with the caller's sign-up",
)
def activity_detail(request: HttpRequest, activity_id: int):
    activity = selectors.get_activity(activity_id)
    signup = selectors.current_signup(request.user, activity)
    return {**activity_out(activity), "my_signup": signup_out(signup) if signup else None}


@router.post(
    "/volunteering/activities/{activity_id}/signup",
    response={201: SignupOut, **ERRORS},
    summary="Sign up (409 activity_full, already_signed_up, activity_ended, activity_cancelled)",
)
def sign_up(request: HttpRequest, activity_id: int):
    activity = selectors.get_activity(activity_id)
    signup = services.sign_up(user=request.user, activity=activity)
    return Status(201, signup_out(signup))


@router.post(
    "/volunteering/activities/{activity_id}/cancel-signup",
    response={200: SignupOut, **ERRORS},
    summary="Give one's place back, before the start",
)
def cancel_signup(request: HttpRequest, activity_id: int):
    activity = selectors.get_activity(activity_id)
    signup = services.cancel_signup(user=request.user, activity=activity)
    return signup_out(signup)


@router.get(
    "/volunteering/mine",
    response=list[MySignupOut],
    summary="My sign-ups, with hours and points",
)
def my_signups(request: HttpRequest):
    return [
        {**signup_out(s), "activity": activity_out(s.activity)}
        for s in selectors.my_signups(request.user)[:500]
    ]


@router.post(
    "/volunteering/scan",
    response={200: ScanOut, **ERRORS},
    summary="Check in or out with the token of the code shown at the post",
)
def scan(request: HttpRequest, payload: ScanIn):
    result = services.scan(user=request.user, token=payload.token, expect=payload.action)
    return {
        "action": result.action,
        "already": result.already,
        "activity": activity_out(result.activity),
        "signup": signup_out(result.signup),
    }


# ---------------------------------------------------------------------------
# Staff


@router.get(
    "/volunteering/manage/activities",
    response=list[ActivityOut],
    summary="Activities at the posts the caller manages",
)
def managed(request: HttpRequest, filters: Query[ManagedFilters]):
    post = selectors.get_managed_post(request.user, filters.post_id) if filters.post_id else None
    rows = selectors.managed_activities(request.user, when=filters.when, post=post)
    return [activity_out(a) for a in rows[:500]]


@router.post(
    "/volunteering/activities",
    response={201: ActivityOut, **ERRORS},
    summary="Publish an activity at a post the caller manages (404: post outside scope)",
)
def publish(request: HttpRequest, payload: ActivityIn):
    post = selectors.get_managed_post(request.user, payload.post_id)
    activity = services.publish_activity(
        actor=request.user,
        post=post,
        title=payload.title,
        description=payload.description,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        slots=payload.slots,
    )
    return Status(201, activity_out(activity))


@router.patch(
    "/volunteering/activities/{activity_id}",
    response={200: ActivityOut, **ERRORS},
    summary="Edit an activity (times before the start; places never below the sign-ups)",
)
def edit(request: HttpRequest, activity_id: int, payload: ActivityEditIn):
    activity = selectors.get_managed_activity(request.user, activity_id)
    data = payload.dict(exclude_unset=True)
    for key in ("starts_at", "ends_at"):
        if key in data:
            data[key] = _aware(data[key])
    activity = services.edit_activity(actor=request.user, activity=activity, **data)
    return activity_out(activity)


@router.post(
    "/volunteering/activities/{activity_id}/cancel",
    response={200: ActivityOut, **ERRORS},
    summary="Cancel an activity (the volunteers are notified)",
)
def cancel(request: HttpRequest, activity_id: int, payload: CancelIn):
    activity = selectors.get_managed_activity(request.user, activity_id)
    activity = services.cancel_activity(
        actor=request.user, activity=activity, reason=payload.reason
    )
    return activity_out(activity)


@router.get(
    "/volunteering/activities/{activity_id}/roster",
    response={200: RosterOut, 404: NotFoundOut},
    summary="Who signed up and their attendance (names only)",
)
def roster(request: HttpRequest, activity_id: int):
    activity = selectors.get_managed_activity(request.user, activity_id)
    rows = [{**row.__dict__, "attendance": row.attendance} for row in selectors.roster(activity)]
    return {"activity": activity_out(activity), "rows": rows}


@router.post(
    "/volunteering/activities/{activity_id}/signups/{signup_id}/{action}",
    response={200: SignupOut, **ERRORS},
    summary="Check a volunteer in or out by hand (action: check-in or check-out)",
)
def attendance(
    request: HttpRequest,
    activity_id: int,
    signup_id: int,
    action: Literal["check-in", "check-out"],
    when: Query[AttendanceQuery],
):
    activity = selectors.get_managed_activity(request.user, activity_id)
    signup = selectors.get_managed_signup(request.user, activity, signup_id)
    at = _aware(when.at)
    if action == "check-in":
        signup = services.staff_check_in(actor=request.user, signup=signup, at=at)
    else:
        signup = services.staff_check_out(actor=request.user, signup=signup, at=at)
    return signup_out(signup)


@router.get(
    "/volunteering/activities/{activity_id}/code",
    response={200: CodeOut, 404: NotFoundOut},
    summary="The current check-in code (URL and SVG) to show at the post",
)
def current_code(request: HttpRequest, activity_id: int):
    activity = selectors.get_managed_activity(request.user, activity_id)
    code = qr.current_code(request, activity)
    return code.__dict__
