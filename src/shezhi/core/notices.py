"""Notices any app can publish without importing the app that delivers them.

A domain (events' SLA scan, a spot check, later demands, projects, emergency
tasks) composes ``Notice`` objects in its own words and calls ``publish_notices``; the
notifications app registers itself as the sink (``deliver_with``, in its
``AppConfig.ready``) and writes one notification per recipient, pointing at the
notice's subject (any model: content type and id). Publish inside the write's
transaction: the notifications are written with it and sent once it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models


@dataclass(frozen=True)
class Notice:
    """One message for several recipients (user ids) about one subject."""

    recipients: frozenset[int] | set[int]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    # What it is about: a model (class) and the id of one of its rows, or neither.
    subject_model: type[models.Model] | None = None
    subject_id: int | None = None
    # Kinds of earlier notices about the same subject this one completes (see
    # ``notifications.services.notify``), since ``merge_since``.
    merge_into: tuple[str, ...] = ()
    merge_since: datetime | None = None


Sink = Callable[[list[Notice]], int]
_sink: list[Sink] = []


def deliver_with(sink: Sink) -> None:
    """The app that delivers notices registers here (once)."""
    _sink[:] = [sink]


def publish_notices(notices: Iterable[Notice]) -> int:
    """Hand ``notices`` to the delivering app; how many notifications it wrote."""
    notices = list(notices)
    if not notices or not _sink:
        return 0
    return _sink[0](notices)


# ---------------------------------------------------------------------------
# Subjects: what a notice may be about


@dataclass(frozen=True)
class SubjectType:
    """A kind of subject, as its app registers it (``register_subject``)."""

    model: type[models.Model]
    name: str  # short and stable: "event" (the API's ``event_id`` reads it)
    link: Callable[[int], str]  # the path on this site of the subject with this id


_subjects: dict[str, SubjectType] = {}  # model label ("events.event") → its type


def register_subject(model: type[models.Model], *, name: str, link: Callable[[int], str]) -> None:
    """The app owning ``model`` declares it a subject notices may point at (in its
    ``AppConfig.ready``): the notifications about a row go when the row goes."""
    kind = SubjectType(model=model, name=name, link=link)
    _subjects[model._meta.label_lower] = kind
    for watcher in _watchers:
        watcher(kind)


_watchers: list[Callable[[SubjectType], None]] = []


def each_subject_type(watcher: Callable[[SubjectType], None]) -> None:
    """Call ``watcher(kind)`` for every subject type, registered already or later
    (whatever order the apps are ready in)."""
    _watchers.append(watcher)
    for kind in list(_subjects.values()):
        watcher(kind)


def subject_types() -> list[SubjectType]:
    return list(_subjects.values())


def subject_type(label: str) -> SubjectType | None:
    """The registered subject type of a model label ("events.event"), or None."""
    return _subjects.get(label)
