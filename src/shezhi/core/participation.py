"""Who took part: one record for every way a resident or person takes part (issue 16 §6).

"Residents taking part" (参与居民) is the number of distinct participants who, in a period and
an area, did any of: raised a demand, answered a broadcast, joined an organisation, took part
in an activity, took part in a project. Each domain calls ``record_participation`` inside the
transaction of its own step; stats counts the rows with ``participants`` (its one
definition). Core imports no app: the apps that know who a sign-in or a person is as a
resident (households) register a resolver with ``register_resolver``.

Keys (see ``Participation``): ``r:<resident>``, ``p:<person>``, ``u:<user>``; the first
known of resident, then person, then user, after the resolvers had their say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .errors import BadInput
from .lists.ranges import subtree_q
from .models import Participation

Way = Participation.Way

# A resolver takes (user, person) and answers a resident's id, or None.
Resolver = Callable[[Any, Any], int | None]
_resolvers: list[Resolver] = []


def register_resolver(resolver: Resolver) -> Resolver:
    """Tell participation who a sign-in or a person is as a resident (households does)."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def participant_key(*, user=None, resident=None, person=None) -> str:
    """The one key a participant is counted under (resident, then person, then sign-in)."""
    if resident is not None:
        return f"r:{_pk(resident)}"
    for resolve in _resolvers:
        found = resolve(user, person)
        if found is not None:
            return f"r:{found}"
    if person is not None:
        return f"p:{_pk(person)}"
    if user is not None and getattr(user, "is_authenticated", True):
        return f"u:{_pk(user)}"
    raise BadInput("a participant needs a resident, a person or a sign-in", field="participant")


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _path(area) -> str:
    path = area if isinstance(area, str) else getattr(area, "path", "")
    if not path:
        raise BadInput("a participation needs the area where it happened", field="area")
    return path


def _day(at: dt.datetime) -> dt.datetime:
    """The local midnight of ``at``: an anonymous participation keeps only its day."""
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _row(
    *, way, area, at, source, user, resident, person, anonymous, participant=None
) -> Participation:
    if way not in Way.values:
        raise BadInput(f"unknown way of taking part: {way!r}", field="way")
    at = at or timezone.now()
    row = Participation(
        way=way,
        participant=participant or participant_key(user=user, resident=resident, person=person),
        area_path=_path(area),
        at=_day(at) if anonymous else at,
    )
    if source is not None and not anonymous:
        row.source_type = source._meta.label_lower
        row.source_id = source.pk
    return row


def record_participation(
    *,
    way: str,
    area,
    at: dt.datetime | None = None,
    source=None,
    user=None,
    resident=None,
    person=None,
    anonymous: bool = False,
) -> Participation | None:
    """Record that someone took part; once per (way, source, participant).

    Call it inside the step's own transaction. Anonymous: the source is not kept and the
    time is cut to the day. Returns the row, or None when this source was already recorded.
    """
    row = _row(
        way=way,
        area=area,
        at=at,
        source=source,
        user=user,
        resident=resident,
        person=person,
        anonymous=anonymous,
    )
    if row.source_id is not None:
        seen = Participation.objects.filter(
            way=row.way,
            source_type=row.source_type,
            source_id=row.source_id,
            participant=row.participant,
        )
        if seen.exists():
            return None
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            row.save()
    except IntegrityError:
        return None
    return row


def record_many(rows: Iterable[dict], *, batch_size: int = 5000) -> int:
    """Record many at once (the demo, imports): dicts with ``record_participation``'s keys.

    Rows already recorded for their source are skipped by the database. Returns the number
    of rows offered. Give ``resident``/``person`` (or a ready ``participant`` key) rather
    than ``user``: a sign-in is resolved to its resident by a query per row.
    """
    defaults = {"at": None, "source": None, "user": None, "resident": None, "person": None}
    built = [_row(**{**defaults, "anonymous": False, **r}) for r in rows]
    Participation.objects.bulk_create(built, batch_size=batch_size, ignore_conflicts=True)
    return len(built)


def withdraw(*, way: str, source) -> int:
    """Forget the participation a source recorded (e.g. a backing withdrawn)."""
    deleted, _ = Participation.objects.filter(
        way=way, source_type=source._meta.label_lower, source_id=source.pk
    ).delete()
    return deleted


def merge_participant(*, old: str, new: str) -> int:
    """Move ``old``'s rows to ``new`` (a sign-in bound to its resident); returns rows moved.

    A row that ``new`` already has for the same source is dropped rather than duplicated.
    """
    if old == new:
        return 0
    with transaction.atomic():
        theirs = Participation.objects.filter(participant=new, source_id__isnull=False)
        dupes = Participation.objects.filter(
            participant=old,
            source_id__isnull=False,
            source_type__in=theirs.values("source_type"),
            source_id__in=theirs.values("source_id"),
        )
        # Exact duplicates only: the same way and source under both keys.
        clash = {
            (w, t, i)
            for w, t, i in theirs.values_list("way", "source_type", "source_id").iterator()
        }
        Participation.objects.filter(
            pk__in=[
                pk
                for pk, w, t, i in dupes.values_list("pk", "way", "source_type", "source_id")
                if (w, t, i) in clash
            ]
        ).delete()
        return Participation.objects.filter(participant=old).update(participant=new)


def _scoped(area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None):
    if start >= end:
        raise BadInput("the period must end after it starts", field="end")
    qs = Participation.objects.filter(
        subtree_q("area_path", _path(area)), at__gte=start, at__lt=end
    )
    if ways is not None:
        ways = list(ways)
        unknown = [w for w in ways if w not in Way.values]
        if unknown:
            raise BadInput(f"unknown way of taking part: {unknown[0]!r}", field="ways")
        qs = qs.filter(way__in=ways)
    return qs


def participants(
    area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None = None
) -> int:
    """Residents taking part: distinct participants with any participation in ``[start, end)``
    in the subtree of ``area`` (an ``Area`` or its path); ``ways`` narrows the ways counted.

    Formula: COUNT(DISTINCT participant) over participations with
    area_path in subtree(area) and start <= at < end.
    """
    return _scoped(area, start, end, ways).values("participant").distinct().count()


def participants_by_way(area, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Distinct participants per way (a person taking part two ways counts in both)."""
    rows = (
        _scoped(area, start, end, None)
        .values("way")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    counts = dict.fromkeys(Way.values, 0)
    counts.update({r["way"]: r["n"] for r in rows})
    return counts
