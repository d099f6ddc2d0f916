"""The signed-in user's notifications under /api/v1/: list, mark one read, mark all read."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shezhi.core.apitypes import ErrorOut, Flag, KeysetPaging, NotFoundOut

from . import selectors, services

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str = Field(description="a path on this site the notification is about, or empty")
    event_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    read: bool

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None

    @staticmethod
    def resolve_event_id(obj) -> int | None:
        # The event it is about: its subject, when that is an event.
        return selectors.subject_id(obj, "event")


class NotificationFilters(Schema):
    unread: Flag | None = Field(None, description="true: only unread; false: only read")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int = Field(description="how many notifications were unread and are now read")


@router.get(
    "/notifications",
    response={200: list[NotificationOut], 400: ErrorOut},
    summary="My notifications, newest first",
)
@paginate(KeysetPaging)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]):
    return selectors.notifications_for(request.user, unread=filters.unread)


@router.get(
    "/notifications/unread-count",
    response=UnreadOut,
    summary="How many of my notifications are unread",
)
def unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(request.user)}


@router.post(
    "/notifications/read-all",
    response=MarkedOut,
    summary="Mark all my notifications read",
)
def read_all(request: HttpRequest):
    return {"marked": services.mark_all_read(user=request.user)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: NotFoundOut},
    summary="Mark one of my notifications read",
)
def read_one(request: HttpRequest, notification_id: int):
    return services.mark_read(user=request.user, notification_id=notification_id)
