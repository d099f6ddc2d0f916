"""Events under /api/v1/: report, list, detail, timeline, actions, whistles, public map.

Scope is the pages' scope: every event is fetched through ``selectors`` (one
outside the caller's scope is a 404 before anything else), every write goes
through ``services``, and a service's refusal becomes one JSON answer
``{"detail", "code", "field"}`` with the error's status (``core/errors.py``).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema, Status, UploadedFile

from shezhi.areas import selectors as area_selectors
from shezhi.core.apitypes import (
    Day,
    ErrorOut,
    Flag,
    Int32,
    Limit,
    LoneSurrogate,
    NotFoundOut,
    Offset,
    ValidationErrorOut,
    loads_text,
)
from shezhi.core.errors import BadInput, EventError, Forbidden, NotAllowed
from shezhi.people.masking import masked

from . import permissions, selectors, services, spot
from .models import EmergencyPeriod, Event, EventPhoto, Whistle, WhistleSummons
from .schemas import (
    SLA,
    SOURCES,
    STATES,
    ActionIn,
    CategoryClassOut,
    EmergencyIn,
    EmergencyOut,
    EventDetailOut,
    EventIn,
    EventListOut,
    EventOut,
    HealthOut,
    OpenSummonsOut,
    PublicCollection,
    SpotHandlingIn,
    TransitionOut,
    WhistleOut,
)
from .workflow import ACTIONS

router = Router()

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut}
# What a list row needs besides the event: one query with these joins.
ROW_RELATED = (
    "category__parent",
    "area",
    "owner_area",
    "handler_user",
    "handler_area",
    "handler_department",
)
ROW_DEFERRED = (
    "contact_name",
    "contact_phone",
    "area__boundary",
    "owner_area__boundary",
    "handler_area__boundary",
)


def _error(exc: EventError):
    return Status(exc.status, {"detail": exc.message, "code": exc.code, "field": exc.field})


# ---------------------------------------------------------------------------
# Serialising from the objects in hand


def _area(area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def _category(cat) -> dict:
    parent = cat.parent
    return {
        "code": cat.code,
        "name": cat.name,
        "name_en": cat.name_en,
        "class_code": parent.code if parent else "",
        "class_name": parent.name if parent else "",
    }


def _handler(event: Event) -> dict | None:
    kind = event.handler_kind
    if not kind:
        return None
    out: dict = {"kind": kind, "user": None, "area": None, "department": None}
    if kind == Event.HandlerKind.WORKER and event.handler_user_id:
        out["user"] = event.handler_user.get_username()
    elif kind == Event.HandlerKind.COMMUNITY and event.handler_area_id:
        out["area"] = _area(event.handler_area)
    elif kind == Event.HandlerKind.DEPARTMENT and event.handler_department_id:
        dept = event.handler_department
        out["department"] = {"code": dept.code, "name": dept.name}
    return out


def event_out(event: Event) -> dict:
    """The list row (and the answer to a submission): no query beyond the joins in hand."""
    sla = event.__dict__.get("sla")
    return {
        "id": event.pk,
        "number": event.number,
        "state": event.state,
        "state_label": str(Event.State(event.state).label),
        "source": event.source,
        "category": _category(event.category),
        "description": event.description,
        "address": event.address,
        "lng": event.lng,
        "lat": event.lat,
        "area": _area(event.area),
        "owner_area": _area(event.owner_area),
        "handler": _handler(event),
        "anonymous": event.anonymous,
        "emergency": event.emergency,
        "deadline_at": event.deadline_at,
        "sla": sla if sla is not None else selectors.sla_colour(event),
        "created_at": event.created_at,
        "closed_at": event.closed_at,
        "version": event.version,
    }


def _mask_name(name: str) -> str:
    # A fixed mask: neither the given name nor its length shows.
    return f"{name[0]}**" if name else ""


def _reporter(user, event: Event) -> dict | None:
    if event.anonymous and (event.reporter_id is None or event.reporter_id != user.pk):
        return None
    return {
        "username": event.reporter.get_username() if event.reporter_id else None,
        "contact_name": _mask_name(event.contact_name),
        "contact_phone": masked("phone", event.contact_phone_last4),
    }


def photo_url(event_id: int, photo_id: int) -> str:
    """The API route that serves a photo to those who may see the event (a bearer
    token does; the page route needs a session)."""
    return f"/api/v1/events/{event_id}/photos/{photo_id}"


def event_detail(user, event: Event) -> dict:
    out = event_out(event)
    out.update(
        registered_at=event.registered_at,
        dispatched_at=event.dispatched_at,
        handled_at=event.handled_at,
        counts={
            "dispatches": event.dispatch_count,
            "redispatches": event.redispatch_count,
            "reworks": event.rework_count,
            "bounces": event.bounce_count,
            "reopens": event.reopen_count,
            "escalations": event.escalation_count,
            "me_too": event.me_too_count,
        },
        result=event.result,
        rating=(
            {"rating": event.rating, "comment": event.rating_comment, "rated_at": event.rated_at}
            if event.rating
            else None
        ),
        master_id=event.master_id,
        reporter=_reporter(user, event),
        allowed_actions=permissions.allowed_actions(user, event),
        photos=[
            {
                "id": p.pk,
                "stage": p.stage,
                "url": photo_url(event.pk, p.pk),
                "width": p.width,
                "height": p.height,
            }
            for p in event.photos.order_by("id")
        ],
    )
    return out


# ---------------------------------------------------------------------------
# Health and categories


@router.get(
    "/health",
    auth=None,
    response=HealthOut,
    summary="Is the server up",
    description="A trivial answer without authentication or database work: the baseline the"
    " load benchmark compares submissions against.",
)
def health(request: HttpRequest):
    return {"ok": True}


@router.get(
    "/events/categories",
    response=list[CategoryClassOut],
    summary="Event categories: classes (大类) and their subcategories (小类)",
    description="Only active categories. Submit an event with a subcategory's code.",
)
def categories(request: HttpRequest):
    def deadline(value, unit):
        return {"value": value, "unit": unit}

    return [
        {
            "code": top.code,
            "name": top.name,
            "name_en": top.name_en,
            "kind": top.kind,
            "subcategories": [
                {
                    "code": c.code,
                    "name": c.name,
                    "name_en": c.name_en,
                    "department_code": c.department_code,
                    "deadline": deadline(c.deadline_value, c.deadline_unit),
                    "emergency_deadline": deadline(
                        c.emergency_deadline_value, c.emergency_deadline_unit
                    ),
                    "allows_anonymous": c.allows_anonymous,
                    "grid_can_solve": c.grid_can_solve,
                    "allows_spot_handling": c.allows_spot_handling,
                }
                for c in subs
            ],
        }
        for top, subs in selectors.category_tree()
    ]


# ---------------------------------------------------------------------------
# Submitting

SUBMIT_DESCRIPTION = (
    "Creates an event in state `reported`, located to its micro-grid (any of wgs84, gcj02,"
    " bd09; stored as WGS84). A retried submission with the same idempotency key (the"
    " `Idempotency-Key` header, or the `idempotency_key` field) answers **200** with the"
    " event the first one made, instead of **201** with a new one; the same key with a"
    " different request answers **422** (`idempotency_key_reused`). Refusals (unknown"
    " category, a point outside every district, a patrol outside the caller's grid, …)"
    " answer 400 with nothing written."
)


def _submit(request: HttpRequest, payload: EventIn, header_key: str | None, photos=()):
    key = (header_key or "").strip() or payload.idempotency_key.strip()
    if header_key and payload.idempotency_key and header_key.strip() != payload.idempotency_key:
        return _error(
            BadInput(
                _("The Idempotency-Key header and the idempotency_key field differ."),
                field="idempotency_key",
            )
        )
    try:
        done = services.report_event(
            submitted_by=request.user,
            source=payload.source,
            category=payload.category,
            description=payload.description,
            lng=payload.lng,
            lat=payload.lat,
            crs=payload.crs,
            address=payload.address,
            anonymous=payload.anonymous,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            photos=photos,
            idempotency_key=key,
        )
    except EventError as exc:
        return _error(exc)
    if done.created:
        # category (with its class), area and owner area are already loaded.
        return Status(201, event_out(done.event))
    event = Event.objects.select_related(*ROW_RELATED).defer(*ROW_DEFERRED).get(pk=done.event.pk)
    return Status(200, event_out(event))


IDEMPOTENCY_HEADER = Header(
    None,
    alias="Idempotency-Key",
    description="up to 64 characters; a retry with the same key returns the first event",
)


@router.post(
    "/events",
    response={201: EventOut, 200: EventOut, 400: ErrorOut, 422: ValidationErrorOut},
    summary="Report an event",
    description=SUBMIT_DESCRIPTION,
)
def create_event(
    request: HttpRequest,
    payload: EventIn,
    idempotency_key: str | None = IDEMPOTENCY_HEADER,
):
    return _submit(request, payload, idempotency_key)


@router.post(
    "/events/with-photos",
    response={201: EventOut, 200: EventOut, 400: ErrorOut, 422: ValidationErrorOut},
    summary="Report an event with photos (multipart)",
    description=SUBMIT_DESCRIPTION
    + " The same fields as form fields, plus up to six `photos` (JPEG, PNG or WebP): each is"
    " checked, its EXIF location read (used when no point is given), resized and stripped of"
    " EXIF. A photo that is too big or not an image answers 400 with nothing written.",
)
def create_event_with_photos(
    request: HttpRequest,
    payload: Form[EventIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str | None = IDEMPOTENCY_HEADER,
):
    return _submit(request, payload, idempotency_key, photos or ())


@router.post(
    "/events/on-spot",
    response={201: EventDetailOut, 200: EventDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Handle an event on the spot (当场处置): report and close it in one step",
    description="For grid workers (micro-grid or full-time), inside their own grid, in a"
    " category that allows it (`allows_spot_handling`). Multipart: the fields, up to six"
    " `before_photos` and one to six `after_photos` (required). One transaction writes the"
    " whole history: report, register, dispatch to the worker, accept, handle and"
    " `close_on_spot`; a configured share (drawn per event) is not closed but waits,"
    " handled, for the community's spot check (its staff are told). Answers **201** with"
    " the event; a retry with the same idempotency key **200** with the first one."
    " Refusals answer 400 naming the `field` (category, result, after_photos,"
    " before_photos, location …) or 403 for a user who is no grid worker, with nothing"
    " written.",
)
def handle_on_spot(
    request: HttpRequest,
    payload: Form[SpotHandlingIn],
    before_photos: File[list[UploadedFile]] = None,
    after_photos: File[list[UploadedFile]] = None,
    idempotency_key: str | None = IDEMPOTENCY_HEADER,
):
    field_key = payload.idempotency_key.strip()
    key = (idempotency_key or "").strip() or field_key
    if idempotency_key and field_key and idempotency_key.strip() != field_key:
        return _error(
            BadInput(
                _("The Idempotency-Key header and the idempotency_key field differ."),
                field="idempotency_key",
            )
        )
    try:
        done = spot.handle_on_spot(
            actor=request.user,
            category=payload.category,
            description=payload.description,
            result=payload.result,
            before_photos=before_photos or (),
            after_photos=after_photos or (),
            lng=payload.lng,
            lat=payload.lat,
            crs=payload.crs,
            address=payload.address,
            idempotency_key=key,
        )
    except EventError as exc:
        return _error(exc)
    event = selectors.get_event(request.user, done.event.pk)
    return Status(201 if done.created else 200, event_detail(request.user, event))


# ---------------------------------------------------------------------------
# Lists, detail, timeline


class EventFilters(Schema):
    state: list[STATES] = Field(  # type: ignore[valid-type]
        default_factory=list, description="repeat for several states"
    )
    category: str = Field("", description="a subcategory's code, or a class's for all of it")
    area: str = Field("", description="only events inside the area with this code")
    source: SOURCES | None = None  # type: ignore[valid-type]
    sla: SLA | None = Field(None, description="deadline colour")
    reported_from: Day | None = Field(None, description="reported on or after this day")
    reported_to: Day | None = Field(None, description="reported on or before this day")
    mine: Flag | None = Field(
        None, description="true: only events I reported or follow; false: all but those"
    )
    handler: str = Field("", description="`me`: my handling inbox (dispatched to me)")
    limit: Limit = 50
    offset: Offset = Field(
        0, description="rows to skip; kept for compatibility: page with `after` instead"
    )
    after: str = Field(
        "",
        max_length=200,
        description="the `next_cursor` of the page before: the page after it, however deep",
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@router.get(
    "/events",
    response={200: EventListOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Events I may see, filtered, newest first",
    description="Scoped like the pages: the events of the areas the caller works in, those"
    " they reported or follow, and those dispatched or whistled to their departments. An"
    " `area` outside the caller's scope answers 404.",
)
def list_events(request: HttpRequest, filters: Query[EventFilters]):
    user = request.user
    area = area_selectors.get_area(user, filters.area) if filters.area else None
    if filters.handler and filters.handler != "me":
        return _error(BadInput(_("handler takes only the value me."), field="handler"))
    if filters.after and filters.offset:
        return _error(BadInput(_("Give either after or offset, not both."), field="offset"))
    want = selectors.EventFilter(
        states=tuple(filters.state),
        category=filters.category,
        area=area,
        source=filters.source or "",
        sla=filters.sla or "",
        reported_from=_day_start(filters.reported_from) if filters.reported_from else None,
        reported_before=(
            _day_start(filters.reported_to + dt.timedelta(days=1)) if filters.reported_to else None
        ),
        mine=filters.mine,
        handler_me=filters.handler == "me",
    )
    try:
        page = selectors.event_page(
            user,
            want,
            limit=filters.limit,
            after=filters.after or None,
            offset=filters.offset,
            rows=Event.objects.select_related(*ROW_RELATED).defer(*ROW_DEFERRED),
        )
    except BadInput as exc:
        return _error(exc)
    return {
        "items": [event_out(e) for e in page.items],
        "count": page.count.value,
        "count_capped": page.count.capped,
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/whistles/summonses",
    response=list[OpenSummonsOut],
    summary="My departments' summonses still waiting for a report-in (soonest first)",
    description="The department's report-in countdown: each summons from an open whistle that"
    " the department has not yet reported in to. Empty for users without a department.",
)
def open_summonses(request: HttpRequest):
    now = timezone.now()
    out = []
    for s in selectors.open_summonses(request.user):
        event = s.whistle.event
        left = int((s.due_at - now).total_seconds())
        out.append(
            {
                "id": s.pk,
                "event_id": event.pk,
                "event_number": event.number,
                "category": event.category.name,
                "department": {"code": s.department.code, "name": s.department.name},
                "due_at": s.due_at,
                "seconds_left": left,
                "overdue": left < 0,
            }
        )
    return out


@router.get(
    "/events/public",
    auth=None,
    response={200: PublicCollection, 400: ErrorOut},
    summary="The public map: open and closed events as GeoJSON, without personal data",
    description="No description, address, contact or reporter; points rounded to about 100 m."
    " `bbox` = west,south,east,north (WGS84); `since` = a day. Served as"
    " `application/geo+json`.",
    openapi_extra={"x-media-type": "application/geo+json"},
    by_alias=True,  # the property is "class"
)
def public_events(request: HttpRequest, bbox: str = "", since: Day | None = None):
    box = None
    if bbox:
        try:
            box = tuple(float(v) for v in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
            return _error(BadInput(_("bbox is west,south,east,north."), field="bbox"))
    rows = selectors.public_events(bbox=box, since=_day_start(since) if since else None)
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
            "properties": {
                "open": r["open"],
                "category": r["category"],
                "class": r["class"],
                "reported_on": r["reported_on"],
                "closed_on": r["closed_on"],
            },
        }
        for r in rows
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )


@router.get(
    "/events/{event_id}",
    response={200: EventDetailOut, 404: NotFoundOut},
    summary="One event",
    description="With what the caller may do now (`allowed_actions`), its photos, and the"
    " reporter's contact masked; an anonymous event's reporter shows to the reporter only.",
)
def event_detail_view(request: HttpRequest, event_id: int):
    return event_detail(request.user, selectors.get_event(request.user, event_id))


@router.get(
    "/events/{event_id}/timeline",
    response={200: list[TransitionOut], 404: NotFoundOut},
    summary="An event's history, oldest first",
    description="Every step with actor, time, from, to and reason. On an anonymous event the"
    " reporter's own steps show no actor to anyone else.",
)
def event_timeline(request: HttpRequest, event_id: int):
    event = selectors.get_event(request.user, event_id)
    return [
        {
            "action": t.action,
            "from_state": t.from_state,
            "to_state": t.to_state,
            "actor": (
                t.actor.get_username() if t.actor_id is not None and not t.actor_hidden else None
            ),
            "at": t.at,
            "reason": t.reason,
            "data": t.data or {},
        }
        for t in selectors.timeline(request.user, event)
    ]


@router.get(
    "/events/{event_id}/whistles",
    response={200: list[WhistleOut], 404: NotFoundOut},
    summary="The whistles blown over an event, with each summoned department's report-in",
    description="Oldest first. A whistle stays open until the event closes (事不完、人不撤);"
    " each summons shows when the department had to report in, when it did, whether on"
    " time, and the whistle-blower's rating of its response (1 poor … 4 excellent).",
)
def event_whistles(request: HttpRequest, event_id: int):
    event = selectors.get_event(request.user, event_id)
    whistles = (
        Whistle.objects.filter(event=event)
        .select_related("area", "blown_by")
        .defer("area__boundary")
        .prefetch_related(
            Prefetch(
                "summonses",
                queryset=WhistleSummons.objects.select_related("department").order_by("id"),
            )
        )
        .order_by("blown_at", "id")
    )
    return [
        {
            "id": w.pk,
            "area": _area(w.area),
            "blown_by": w.blown_by.get_username(),
            "reason": w.reason,
            "blown_at": w.blown_at,
            "closed_at": w.closed_at,
            "summonses": [
                {
                    "id": s.pk,
                    "department": {"code": s.department.code, "name": s.department.name},
                    "due_at": s.due_at,
                    "reported_in_at": s.reported_in_at,
                    "on_time": s.on_time,
                    "note": s.note,
                    "rating": s.rating,
                    "rating_comment": s.rating_comment,
                }
                for s in w.summonses.all()
            ],
        }
        for w in whistles
    ]


@router.get(
    "/events/{event_id}/photos/{photo_id}",
    response={200: None, 404: NotFoundOut},
    summary="One of an event's photos (JPEG)",
    description="To those who may see the event, as the event's `photos[].url` says; a photo"
    " of an event outside the caller's scope answers 404.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def event_photo(request: HttpRequest, event_id: int, photo_id: int):
    event = selectors.get_event(request.user, event_id)  # 404 outside scope
    item = EventPhoto.objects.filter(pk=photo_id, event=event).first()
    if item is None or not item.image:
        raise Http404("No such photo.")
    try:
        handle = default_storage.open(item.image.name, "rb")
    except OSError:
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------------------
# Actions

ACTION_DESCRIPTION = (
    "Performs one step of the workflow: "
    + ", ".join(f"`{name}`" for name in ACTIONS if name != "escalate_overdue")
    + ". An event outside the caller's scope answers 404 before anything else; an unknown"
    " action or bad data 400 (`bad_input`); an action the caller may not take 403"
    " (`forbidden`); one not possible from the event's state 409 (`not_allowed`); a"
    " `version` older than the event's 409 (`conflict`). Nothing is written on any error."
    " Answers the event as it is after the step."
)


def _perform(request: HttpRequest, event: Event, action: str, reason, version, data, photos=()):
    try:
        event = services.perform(
            actor=request.user,
            event=event,
            action=action,
            reason=reason,
            expected_version=version,
            data=data,
            photos=photos,
        )
    except EventError as exc:
        return _error(exc)
    return event_detail(request.user, event)


@router.post(
    "/events/{event_id}/actions/{action}",
    response={200: EventDetailOut, **ERRORS},
    summary="Act on an event (register, dispatch, accept, handle, verify, rate, whistle …)",
    description=ACTION_DESCRIPTION,
)
def event_action(request: HttpRequest, event_id: int, action: str, payload: ActionIn):
    event = selectors.get_event(request.user, event_id)  # 404 before anything else
    return _perform(request, event, action, payload.reason, payload.version, payload.data)


class ActionForm(Schema):
    reason: str = ""
    version: Int32 | None = None
    result: str = Field("", description="for handle: what was done (or put it in data)")
    data: str = Field("", description="the action's data as a JSON object, as for the JSON call")


@router.post(
    "/events/{event_id}/actions/{action}/with-photos",
    response={200: EventDetailOut, **ERRORS},
    summary="Act on an event with photos (multipart), e.g. handle with result photos",
    description=ACTION_DESCRIPTION
    + " Photos that are too big or not images answer 400 with nothing written.",
)
def event_action_with_photos(
    request: HttpRequest,
    event_id: int,
    action: str,
    payload: Form[ActionForm],
    photos: File[list[UploadedFile]] = None,
):
    event = selectors.get_event(request.user, event_id)  # 404 before anything else
    data: dict = {}
    if payload.data.strip():
        try:
            data = loads_text(payload.data)
        except LoneSurrogate as exc:
            return _error(BadInput(str(exc), field=f"data.{exc.field}"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _error(BadInput(_("data is not a JSON object."), field="data"))
    if payload.result and "result" not in data:
        data["result"] = payload.result
    return _perform(request, event, action, payload.reason, payload.version, data, photos or ())


# ---------------------------------------------------------------------------
# Emergency mode


def _emergency_out(period: EmergencyPeriod) -> dict:
    return {
        "id": period.pk,
        "area": _area(period.area),
        "reason": period.reason,
        "started_at": period.started_at,
        "ended_at": period.ended_at,
        "started_by": period.started_by.get_username() if period.started_by_id else None,
    }


@router.post(
    "/areas/{code}/emergency",
    response={201: EmergencyOut, **ERRORS},
    summary="Switch an area to emergency mode (战时)",
    description="Street staff or district admins. Events reported inside the area from now on"
    " get the categories' emergency deadlines when dispatched. 409 if already in emergency"
    " mode (itself or through an area above it).",
)
def start_emergency(request: HttpRequest, code: str, payload: EmergencyIn):
    area = area_selectors.get_area(request.user, code)
    try:
        period = services.start_emergency(actor=request.user, area=area, reason=payload.reason)
    except EventError as exc:
        return _error(exc)
    return Status(201, _emergency_out(period))


@router.post(
    "/areas/{code}/emergency/end",
    response={200: EmergencyOut, **ERRORS},
    summary="End an area's emergency mode",
    description="Ends the emergency period started on this area; 409 when there is none.",
)
def end_emergency(request: HttpRequest, code: str):
    area = area_selectors.get_area(request.user, code)
    period = (
        EmergencyPeriod.objects.filter(area=area, ended_at__isnull=True)
        .select_related("area", "started_by")
        .order_by("-started_at")
        .first()
    )
    try:
        if not permissions.can(request.user, "declare_emergency", area):
            raise Forbidden(_("Street staff or district admins switch emergency mode."))
        if period is None:
            raise NotAllowed(_("The area is not in emergency mode."))
        period = services.end_emergency(actor=request.user, period=period)
    except EventError as exc:
        return _error(exc)
    return _emergency_out(period)
