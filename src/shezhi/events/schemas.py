"""The shapes of the events API (/api/v1/): what comes in, what goes out.

Outputs are plain fields (no resolvers): ``api.py`` builds each answer as a
dict from the objects already in hand, so a submission on the hot path costs
no query beyond the service's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from shezhi.core.apitypes import AreaRef, Flag, Int32

from .models import Event, WhistleSummons
from .services import ADDRESS_MAX, CONTACT_NAME_MAX

CRS = Literal["wgs84", "gcj02", "bd09"]
SOURCES = Literal[tuple(Event.Source.values)]  # type: ignore[valid-type]
# What a client may submit: an operation's need is reported by operations' hook only.
SUBMITTED_SOURCES = Literal[  # type: ignore[valid-type]
    tuple(s for s in Event.Source.values if s != Event.Source.OPERATION)
]
STATES = Literal[tuple(Event.State.values)]  # type: ignore[valid-type]
SLA = Literal["red", "yellow", "green"]


class HealthOut(Schema):
    ok: bool


# ---------------------------------------------------------------------------
# Categories


class DeadlineOut(Schema):
    value: int
    unit: Literal["hours", "days"] = Field(description="working hours or working days")


class SubcategoryOut(Schema):
    code: str
    name: str
    name_en: str
    department_code: str = Field(description="code of the responsible department (城管 cg …)")
    deadline: DeadlineOut = Field(description="handling deadline, counted from dispatch")
    emergency_deadline: DeadlineOut = Field(description="the deadline in emergency mode")
    allows_anonymous: bool
    grid_can_solve: bool = Field(description="小事不出网格: dispatched to the grid's own worker")
    allows_spot_handling: bool = Field(
        description="当场处置: a grid worker may report and close it in one step"
        " (POST /events/on-spot)"
    )


class CategoryClassOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str = Field(description="urban (GB/T 30428) or social (social governance)")
    subcategories: list[SubcategoryOut]


# ---------------------------------------------------------------------------
# Submitting


class EventIn(Schema):
    category: str = Field(description="code of a subcategory (小类), e.g. 0101")
    description: str = Field(max_length=2000, description="what is wrong; up to 2,000 characters")
    lng: float | None = Field(
        None, description="longitude in ``crs``; may be left out when a photo carries its location"
    )
    lat: float | None = Field(None, description="latitude in ``crs``")
    crs: CRS = Field("wgs84", description="the device's coordinate system")
    address: str = Field("", max_length=ADDRESS_MAX, description="up to 200 characters")
    anonymous: Flag = Field(False, description="hide the reporter (where the category allows)")
    contact_name: str = Field(
        "", max_length=CONTACT_NAME_MAX, description="up to 50 characters; stored encrypted"
    )
    contact_phone: str = Field(
        "", max_length=32, description="stored encrypted; shown as its last four digits"
    )
    source: SUBMITTED_SOURCES = Field(  # type: ignore[valid-type]
        "api",
        description="api (default), resident, patrol (inside the caller's own grid), hotline"
        " or assigned (staff of the area only)",
    )
    idempotency_key: str = Field(
        "",
        max_length=64,
        description="a retried submission with the same key returns the first event;"
        " the Idempotency-Key header does the same and wins over this field",
    )


# ---------------------------------------------------------------------------
# Events out


class CategoryRef(Schema):
    code: str
    name: str
    name_en: str
    class_code: str
    class_name: str


class DepartmentRef(Schema):
    code: str
    name: str


class HandlerOut(Schema):
    kind: Literal["worker", "community", "department"]
    user: str | None = Field(None, description="the worker's username (kind worker)")
    area: AreaRef | None = Field(None, description="the community (kind community)")
    department: DepartmentRef | None = Field(None, description="kind department")


class EventOut(Schema):
    id: int
    number: str = Field(description="the case number people see: year + sequence")
    state: STATES  # type: ignore[valid-type]
    state_label: str
    source: str
    category: CategoryRef
    description: str
    address: str
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    area: AreaRef = Field(description="the deepest area containing the point")
    owner_area: AreaRef = Field(description="the level holding (dispatching) it now")
    handler: HandlerOut | None
    anonymous: bool
    emergency: bool = Field(description="emergency-mode deadlines apply")
    deadline_at: dt.datetime | None
    sla: Literal["", "green", "yellow", "red"] = Field(
        description="green (< 80 % of the working time used), yellow (80–100 %), red (overdue);"
        " empty while no clock runs"
    )
    created_at: dt.datetime
    closed_at: dt.datetime | None
    version: int = Field(description="send it back with an action to detect conflicts")


class EventListOut(Schema):
    items: list[EventOut]
    count: int = Field(
        description="how many events match, over all pages: exact when `count_capped` is"
        " false; when it is true, at least this many (the count stops at 1,000: read"
        " “1,000+”)"
    )
    count_capped: bool = Field(
        False, description="true: `count` is a lower bound, more events match"
    )
    next_cursor: str | None = Field(
        None,
        description="pass as `after` for the next page; null on the last page",
    )


class EventCountsOut(Schema):
    dispatches: int
    redispatches: int
    reworks: int
    bounces: int = Field(description="returned by a department as not theirs (推诿)")
    reopens: int
    escalations: int
    me_too: int


class RatingOut(Schema):
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: str
    rated_at: dt.datetime | None


class EventPhotoOut(Schema):
    id: int
    stage: Literal["report", "result"]
    url: str
    width: int
    height: int


class ReporterOut(Schema):
    username: str | None = Field(None, description="none for a hotline call")
    contact_name: str = Field(description="masked: the first character only")
    contact_phone: str = Field(description="masked: only the last four digits show")


class EventDetailOut(EventOut):
    registered_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    handled_at: dt.datetime | None
    counts: EventCountsOut
    result: str
    rating: RatingOut | None
    master_id: int | None = Field(description="the event this one was merged into")
    reporter: ReporterOut | None = Field(
        description="hidden (null) on an anonymous event for everyone but its reporter"
    )
    allowed_actions: list[str] = Field(description="what the caller may do now")
    photos: list[EventPhotoOut]


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None = Field(
        description="username; null for the platform, or for an anonymous reporter's own steps"
    )
    at: dt.datetime
    reason: str
    data: dict[str, Any]


# ---------------------------------------------------------------------------
# Actions


class ActionIn(Schema):
    reason: str = Field("", description="required for void, return, verify_fail, reopen …")
    version: Int32 | None = Field(
        None, description="the event's version the client saw; a stale one is a 409 conflict"
    )
    data: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "action-specific: dispatch {target: worker|community|department, worker: user id,"
            " department: code}; handle {result}; rate {rating: satisfied|basically_satisfied|"
            "unsatisfied, comment}; whistle {departments: [codes], report_in_minutes};"
            " report_in {note}; rate_whistle {summons: id, rating: 1-4, comment};"
            " merge {master: event id}; void {void_kind: invalid|duplicate}"
        ),
    )


# ---------------------------------------------------------------------------
# Whistles


class SummonsOut(Schema):
    id: int
    department: DepartmentRef
    due_at: dt.datetime = Field(description="report in by")
    reported_in_at: dt.datetime | None
    on_time: bool | None = Field(description="null until the department reports in")
    note: str
    rating: int | None = Field(
        description=", ".join(f"{v} {label}" for v, label in WhistleSummons.Rating.choices)
    )
    rating_comment: str


class WhistleOut(Schema):
    id: int
    area: AreaRef = Field(description="the level that blew it")
    blown_by: str
    reason: str
    blown_at: dt.datetime
    closed_at: dt.datetime | None = Field(description="when the event closed (事不完、人不撤)")
    summonses: list[SummonsOut]


class OpenSummonsOut(Schema):
    id: int
    event_id: int
    event_number: str
    category: str
    department: DepartmentRef
    due_at: dt.datetime
    seconds_left: int = Field(description="until the report-in deadline; negative when overdue")
    overdue: bool


# ---------------------------------------------------------------------------
# Public map


class PublicProperties(Schema):
    open: bool
    category: str
    class_: str = Field(alias="class")
    reported_on: dt.date
    closed_on: dt.date | None


class PublicGeometry(Schema):
    type: Literal["Point"]
    coordinates: tuple[float, float] = Field(description="[lng, lat] WGS84, rounded to ~100 m")


class PublicFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: PublicGeometry
    properties: PublicProperties


class PublicCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[PublicFeature]


# ---------------------------------------------------------------------------
# Emergency mode


class EmergencyIn(Schema):
    reason: str


class EmergencyOut(Schema):
    id: int
    area: AreaRef
    reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    started_by: str | None


# ---------------------------------------------------------------------------
# On-the-spot handling (当场处置)


class SpotHandlingIn(Schema):
    category: str = Field(
        max_length=16, description="code of a subcategory that allows on-the-spot handling"
    )
    description: str = Field(max_length=2000, description="what was wrong")
    result: str = Field(max_length=4000, description="what the worker did on the spot")
    lng: float | None = Field(
        None, description="longitude in ``crs``; may be left out when a before-photo has one"
    )
    lat: float | None = Field(None, description="latitude in ``crs``")
    crs: CRS = Field("wgs84", description="the device's coordinate system")
    address: str = Field("", max_length=200)
    idempotency_key: str = Field(
        "",
        max_length=64,
        description="a retried submission with the same key returns the first event;"
        " the Idempotency-Key header does the same and wins over this field",
    )
