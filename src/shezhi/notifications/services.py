"""Writing notifications, delivering them on the channels, marking them read.

``notify`` is what every other app calls (an event dispatched, a roster
imported …). It is cheap enough for any request: one bulk insert, and one
background task enqueued once the surrounding transaction has committed, so a
rolled-back write notifies nobody and nothing is sent from inside a request.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .channels import Skip, configured_channels
from .models import Delivery, Notification

logger = logging.getLogger("shezhi.notifications")

MAX_ATTEMPTS = selectors.MAX_ATTEMPTS
KIND_MAX = Notification._meta.get_field("kind").max_length
TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length
ERROR_MAX = 2000


def _recipient_ids(recipients) -> set[int]:
    if isinstance(recipients, (models.Model, int, str, bytes)) or not isinstance(
        recipients, Iterable
    ):
        raise TypeError(
            "notify() takes an iterable of users or user ids as recipients "
            f"(wrap a single one in a list), not {recipients!r}"
        )
    ids: set[int] = set()
    for recipient in recipients:
        if recipient is None:
            continue
        if isinstance(recipient, bool):
            raise TypeError(f"not a user or a user id: {recipient!r}")
        if isinstance(recipient, int):
            ids.add(recipient)
        elif isinstance(recipient, models.Model) or hasattr(recipient, "is_authenticated"):
            if recipient.pk is not None:  # a visitor (AnonymousUser) has no inbox
                ids.add(recipient.pk)
        else:
            raise TypeError(f"not a user or a user id: {recipient!r}")
    return ids


def _clean(kind: str, title: str, body: str, url: str) -> tuple[str, str, str, str]:
    """The fields as stored; a ValidationError names every field that is wrong."""
    errors: dict[str, str] = {}
    kind = (kind or "").strip()
    title = " ".join((title or "").split())
    body = (body or "").strip()
    url = (url or "").strip()
    if not kind:
        errors["kind"] = _("A notification needs a kind.")
    elif len(kind) > KIND_MAX:
        errors["kind"] = _("A kind has at most %(n)d characters.") % {"n": KIND_MAX}
    if not title:
        errors["title"] = _("A notification needs a title.")
    if url and (
        not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > URL_MAX
    ):
        errors["url"] = _("The link must be a path on this site, like /events/12/.")
    if errors:
        raise ValidationError(errors)
    # A long title (an event's own words, say) is cut, never a reason to fail a transition.
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    return kind, title, body, url


def notify(
    recipients,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    subject=None,
    merge_into: tuple[str, ...] = (),
    merge_since=None,
) -> int:
    """Notify each distinct active user among ``recipients`` (users or user ids).

    Creates one Notification per recipient in one insert and, once the
    surrounding transaction commits, enqueues one task that delivers them on the
    configured channels. Returns how many were created or merged. Raises
    ValidationError for a missing kind or title or a link that is not a path on
    this site, and TypeError for recipients that are not users or ids.

    ``subject``: what it is about, a row of any model (an event, a demand …) or a
    (model, id) pair; None for nothing in particular.

    ``merge_into``: kinds of notifications of the same ``subject`` that this one
    completes (an overdue notice, then the escalation of the same deadline, in
    one scan): a recipient who already has one (created since ``merge_since``)
    gets that one rewritten with this title and body, and unread again, rather
    than a second notification about the same change.
    """
    kind, title, body, url = _clean(kind, title, body, url)
    ids = _recipient_ids(recipients)
    if not ids:
        return 0
    user_ids = list(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not user_ids:
        return 0
    subject_type, subject_id = _subject_of(subject)
    merged = 0
    if merge_into and subject_type is not None:
        merged_users = _merge(
            user_ids, (subject_type, subject_id), merge_into, merge_since, title, body
        )
        merged = len(merged_users)
        user_ids = [u for u in user_ids if u not in merged_users]
        if not user_ids:
            return merged
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=kind,
                title=title,
                body=body,
                url=url,
                subject_type=subject_type,
                subject_id=subject_id,
                created_at=now,
            )
            for user_id in user_ids
        ]
    )
    pks = [n.pk for n in created]
    if None in pks:  # a database that does not return the new rows' ids
        pks = list(
            Notification.objects.filter(
                user_id__in=user_ids, kind=kind, created_at=now
            ).values_list("pk", flat=True)
        )

    # robust: a failure to enqueue is logged, never an error for a request that
    # has already committed; `shezhi deliver_notifications` picks those up later.
    # (A closure, not functools.partial: Django names the callback in that log line.)
    def enqueue() -> None:
        _enqueue_delivery(pks)

    transaction.on_commit(enqueue, robust=True)
    return len(created) + merged


def _subject_of(subject) -> tuple[ContentType | None, int | None]:
    """The content type and id of ``subject`` (a row, or a (model, id) pair, or None)."""
    if subject is None:
        return None, None
    if isinstance(subject, tuple):
        model, pk = subject
    else:
        model, pk = type(subject), subject.pk
    return ContentType.objects.get_for_model(model), pk


def _merge(user_ids, subject, kinds, since, title: str, body: str) -> set[int]:
    """Rewrite each user's latest notification of ``kinds`` about ``subject`` (content
    type, id); whose were."""
    subject_type, subject_id = subject
    earlier = Notification.objects.filter(
        user_id__in=user_ids, subject_type=subject_type, subject_id=subject_id, kind__in=kinds
    )
    if since is not None:
        earlier = earlier.filter(created_at__gte=since)
    latest: dict[int, int] = {}
    for pk, user_id in earlier.order_by("-created_at", "-pk").values_list("pk", "user_id"):
        latest.setdefault(user_id, pk)
    if latest:
        Notification.objects.filter(pk__in=list(latest.values())).update(
            title=title, body=body, read_at=None
        )
    return set(latest)


@dataclass(frozen=True)
class Message:
    """One notification for several recipients (user ids), for ``notify_many``."""

    recipients: frozenset[int] | set[int]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    # What it is about: its content type's id and its id, or neither.
    subject_type_id: int | None = None
    subject_id: int | None = None


def notify_many(messages: Iterable[Message]) -> int:
    """Write many messages' notifications in bulk; delivery enqueued after commit.

    The same rows ``notify`` writes (active users only, one per recipient, long
    titles cut), for thousands at once — the SLA scan's reminders: a multi-row
    ``INSERT … RETURNING id`` built from the model's own columns (any column not
    given gets its default), because building a model instance per row costs
    more than the rest of a reminder. Returns how many were written.
    """
    messages = list(messages)
    wanted = set().union(*(m.recipients for m in messages)) if messages else set()
    if not wanted:
        return 0
    active = set(
        get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True)
    )
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    given = (
        "user_id", "kind", "title", "body", "url", "subject_type_id", "subject_id", "created_at",
    )  # fmt: skip
    fixed = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in given
    }
    created_at = Notification._meta.get_field("created_at").get_db_prep_save(
        timezone.now(), connection
    )
    rows = []
    for m in messages:
        kind, title, body, url = _clean(m.kind, m.title, m.body, m.url)
        for user_id in sorted(set(m.recipients) & active):
            values = {
                "user_id": user_id,
                "kind": kind,
                "title": title,
                "body": body,
                "url": url,
                "subject_type_id": m.subject_type_id,
                "subject_id": m.subject_id,
                "created_at": created_at,
                **fixed,
            }
            rows.append([values[f.attname] for f in fields])
    if not rows:
        return 0
    pks = _insert_rows(Notification, fields, rows)

    def enqueue() -> None:
        for i in range(0, len(pks), 1000):
            _enqueue_delivery(pks[i : i + 1000])

    transaction.on_commit(enqueue, robust=True)
    return len(rows)


def _insert_rows(model, fields, rows: list[list]) -> list[int]:
    """Insert ``rows`` (values of ``fields``) into ``model``'s table; the new ids.

    PostgreSQL gets one array per column (``INSERT … SELECT * FROM unnest(…)``:
    a few parameters instead of thousands to quote and parse); other databases
    get multi-row ``VALUES`` of 500 rows (within SQLite's parameter limit).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pks: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            for i in range(0, len(rows), 5000):
                chunk = rows[i : i + 5000]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
                    " RETURNING id",
                    [list(column) for column in zip(*chunk, strict=True)],
                )
                pks.extend(row[0] for row in cursor.fetchall())
            return pks
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            cursor.execute(
                f"INSERT INTO {table} ({columns})"  # noqa: S608
                f" VALUES {', '.join([one] * len(chunk))} RETURNING id",
                [value for row in chunk for value in row],
            )
            pks.extend(row[0] for row in cursor.fetchall())
    return pks


def _enqueue_delivery(notification_ids: list[int]) -> None:
    from .tasks import deliver_notifications

    deliver_notifications.enqueue(notification_ids)


def mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's own notifications read (once); anyone else's is a 404."""
    notification = selectors.get_notification(user, notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Only if still unread: two tabs opening it at once keep the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; how many that was."""
    return selectors.notifications_for(user, unread=True).update(read_at=timezone.now())


# ---------- delivery (the background task's side) ----------


def _claim(notification: Notification, channel: str) -> Delivery | None:
    """This worker's right to send the notification on the channel now, or None.

    The first try creates the (unique) row; a retry takes over a failed row
    with tries left by a conditional update. Whoever loses either race sends
    nothing, so a task run twice, or two workers at once, never send twice.
    """
    now = timezone.now()
    delivery, created = Delivery.objects.get_or_create(
        notification=notification,
        channel=channel,
        defaults={"status": Delivery.Status.SENDING, "attempts": 1, "last_attempt_at": now},
    )
    if created:
        return delivery
    if delivery.status != Delivery.Status.FAILED or delivery.attempts >= MAX_ATTEMPTS:
        return None
    taken = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.FAILED, attempts=delivery.attempts
    ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    return delivery if taken else None


def _deliver_one(notification: Notification, name: str, channel) -> str:
    delivery = _claim(notification, name)
    if delivery is None:
        return "unchanged"
    fields: dict = {"error": ""}
    try:
        channel.deliver(notification)
    except Skip as exc:
        fields.update(status=Delivery.Status.SKIPPED, error=str(exc)[:ERROR_MAX])
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:ERROR_MAX]
        logger.warning("notification %s not delivered on %s: %s", notification.pk, name, error)
        fields.update(status=Delivery.Status.FAILED, error=error)
    else:
        fields.update(status=Delivery.Status.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return fields["status"]


def deliver(notification_ids: Iterable[int]) -> dict[str, int]:
    """Deliver these notifications on every configured channel, each at most once.

    Already sent (or skipped, or being sent) on a channel: left alone. Failed
    before with tries left: tried again. Returns counts by outcome ("sent",
    "failed", "skipped", "unchanged").
    """
    channels = configured_channels()
    counts: Counter[str] = Counter()
    if not channels:
        return {}
    notifications = (
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("user")
        .order_by("pk")
    )
    for notification in notifications.iterator(chunk_size=500):
        for name, channel in channels.items():
            counts[_deliver_one(notification, name, channel)] += 1
    return dict(counts)


def deliver_pending(*, since) -> dict[str, int]:
    """Deliver what was never tried or failed with tries left, since ``since``."""
    from .channels import channel_names

    return deliver(selectors.undelivered_ids(since=since, channels=channel_names()))
