"""Reading notifications: a user only ever sees their own (``permissions``); anyone
else's is a 404."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from shezhi.core.notices import subject_type

from . import permissions
from .models import Delivery, Notification

MAX_ATTEMPTS = 3  # tries per notification and channel before giving up
# Newest first; the index notif_user_created serves it for one user.
ORDER = ("-created_at", "-id")


def notifications_for(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; only the unread (or read) ones when asked."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(permissions.scope(user, "view"))
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by(*ORDER)


def unread_count(user, *, cap: int | None = None) -> int:
    """How many of the user's notifications are unread (0 for a visitor).

    With ``cap``, counting stops there (a badge shows "99+" anyway).
    """
    unread = notifications_for(user, unread=True)
    if cap is not None:
        unread = unread[:cap]
    return unread.count()


def get_notification(user, notification_id) -> Notification:
    """One of the user's own notifications; anyone else's, or none, is a 404."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Http404("No such notification.") from None
    found = notifications_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such notification.")
    return found


def undelivered_ids(*, since: dt.datetime, channels: list[str]) -> list[int]:
    """Notifications since ``since`` that a channel has yet to deliver or may try again.

    Not yet tried (no delivery row: the task never ran) or failed with tries left.
    """
    if not channels:
        return []
    wanting = Q()
    for name in channels:
        tried = Delivery.objects.filter(channel=name).exclude(
            status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS
        )
        wanting |= ~Q(pk__in=tried.values("notification_id"))
    return list(
        Notification.objects.filter(created_at__gte=since)
        .filter(wanting)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def subject_name(notification: Notification) -> str | None:
    """The registered name of the kind of thing the notification is about ("event" …)."""
    if notification.subject_type_id is None:
        return None
    model = ContentType.objects.get_for_id(notification.subject_type_id)
    kind = subject_type(f"{model.app_label}.{model.model}")
    return kind.name if kind else None


def subject_id(notification: Notification, name: str) -> int | None:
    """The id of what the notification is about, if that is a ``name`` ("event"), else None."""
    return notification.subject_id if subject_name(notification) == name else None
