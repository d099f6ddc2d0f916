"""Notifications listen: the steps of events, the notices any app publishes, subjects deleted.

Registered in ``NotificationsConfig.ready``:

- each event step's notices (``events.hooks``), written inside the step's
  transaction, like every ``notify``: a step that rolls back notifies nobody,
  and the delivery on the channels is enqueued once the step has committed;
- the notices other code publishes (``core.notices``: the SLA scan's reminders,
  a spot check), written in bulk;
- a subject deleted (an event …) takes its notifications with it, as the foreign
  key to the event did.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete

from shezhi.core.notices import Notice, SubjectType, subject_type

from .models import Notification
from .services import Message, notify, notify_many


def _subject(notice: Notice):
    if notice.subject_model is None or notice.subject_id is None:
        return None
    return (notice.subject_model, notice.subject_id)


def _url(notice: Notice) -> str:
    """The notice's link, else its subject's page as its app registered it."""
    if notice.url or notice.subject_model is None or notice.subject_id is None:
        return notice.url
    kind = subject_type(notice.subject_model._meta.label_lower)
    return kind.link(notice.subject_id) if kind else ""


def _notify(notice: Notice) -> int:
    return notify(
        notice.recipients,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        url=_url(notice),
        subject=_subject(notice),
        merge_into=notice.merge_into,
        merge_since=notice.merge_since,
    )


def write_step_notices(step) -> None:
    """One notification per person the step tells, naming the change (``StepDone.notices``).

    Through ``write_notices``: a step's groups (staff, residents in their own words)
    are one active-user read and one insert, not one ORM ``bulk_create`` each, which
    was a tenth of every workflow step."""
    write_notices(step.notices())


def write_notices(notices: list[Notice]) -> int:
    """Write published notices: in bulk, but one at a time where one completes an earlier."""
    written = sum(_notify(n) for n in notices if n.merge_into)
    many = [n for n in notices if not n.merge_into]
    if many:
        written += notify_many(
            Message(
                recipients=n.recipients,
                kind=n.kind,
                title=n.title,
                body=n.body,
                url=_url(n),
                subject_type_id=(
                    ContentType.objects.get_for_model(n.subject_model).pk
                    if n.subject_model is not None
                    else None
                ),
                subject_id=n.subject_id,
            )
            for n in many
        )
    return written


def forget_subject(sender, instance, **kwargs) -> None:
    """A subject's row is deleted: so are the notifications about it."""
    Notification.objects.about(instance).delete()


def watch_subject(kind: SubjectType) -> None:
    post_delete.connect(
        forget_subject, sender=kind.model, weak=False, dispatch_uid=f"notif-{kind.model}"
    )
