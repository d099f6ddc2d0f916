"""Who took part: one record for every way a resident or person takes part (issue 16 §6).

"Residents taking part" (参与居民) is the number of distinct participants who, in a period and
an area, did any of: raised a demand, answered a broadcast, joined an organisation, took part
in an activity, took part in a project. Each domain calls ``record_participation`` inside the
transaction of its own step; stats counts the rows with ``participants`` (its one
definition). Core imports no app: the apps that know who a sign-in or a person is as a
resident (households) register a resolver with ``register_resolver``.

Keys (see ``Participation``): ``r:<resident>``, ``p:<person>``, ``u:<user>``; the first
known of resident, then person, then user, after the resolvers had their say.

Counts are cached, invalidated on write: a distinct count of a district over a year
reads every row of it (a sort of 150,000 keys, 0.3–0.6 s on SQLite), while a dashboard
asks the same question many times between two writes. Each answer is kept under the
*version* of its area; every write sets a new version for each area above the rows it
touched (itself included), at once and again when its transaction commits, so a count
read while the write was uncommitted is never served after it. Rows written only
through this module (the model has no other writer); a delete or merge, which may reach
anywhere, turns every version over. The cache is Django's (Redis in production: one
for every process; a process-local one elsewhere, hence ``CACHE_SECONDS`` as a bound).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import get_random_string

from .errors import BadInput
from .lists.ranges import subtree_q
from .models import Participation

Way = Participation.Way

# The areas' tree: treebeard's step (``Area.steplen``; a test holds them equal). The
# versions are kept per whole step of a path: the areas a count can be asked for.
PATH_STEP = 4
# How long a count may be served unchanged when no version says otherwise: the bound of
# staleness where the cache is process-local (a write in another process).
CACHE_SECONDS = 300
_PREFIX = "participation:"
_EVERYWHERE = _PREFIX + "v:*"

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
    _changed([row.area_path])
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
    _changed({r.area_path for r in built})
    return len(built)


def withdraw(*, way: str, source) -> int:
    """Forget the participation a source recorded (e.g. a backing withdrawn)."""
    deleted, _ = Participation.objects.filter(
        way=way, source_type=source._meta.label_lower, source_id=source.pk
    ).delete()
    if deleted:
        _changed(None)
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
        moved = Participation.objects.filter(participant=old).update(participant=new)
        _changed(None)
        return moved


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


def _version_key(path: str) -> str:
    return f"{_PREFIX}v:{path}"


def _above(path: str) -> set[str]:
    """The paths of the areas whose subtree holds ``path``: each whole step, and itself."""
    return {path[:n] for n in range(PATH_STEP, len(path), PATH_STEP)} | {path}


def _turn_over(paths: Iterable[str] | None) -> None:
    # A fresh random version, not a counter: a version the cache dropped comes back as a
    # value no stored answer was ever filed under.
    keys = [_EVERYWHERE] if paths is None else {_version_key(p) for p in paths}
    cache.set_many({k: get_random_string(12) for k in keys}, CACHE_SECONDS * 2)


def _changed(paths: Iterable[str] | None) -> None:
    """Rows changed under ``paths`` (None: anywhere): every count above them is stale."""
    above = None if paths is None else set().union(*(_above(p) for p in paths))
    _turn_over(above)
    # Again on commit: a count read before the commit, filed under the version just set,
    # is then never served.
    transaction.on_commit(lambda: _turn_over(above))


def counts_changed() -> None:
    """Rows changed other than through this module (the admin's delete): every count."""
    _changed(None)


def _versions(path: str) -> str:
    keys = [_EVERYWHERE, _version_key(path)]
    found = cache.get_many(keys)
    missing = {k: get_random_string(12) for k in keys if k not in found}
    if missing:
        # add(): a version another process set meanwhile wins.
        for k, v in missing.items():
            if not cache.add(k, v, CACHE_SECONDS * 2):
                v = cache.get(k, v)
            found[k] = v
    return f"{found[keys[0]]}:{found[keys[1]]}"


def _cached(what: str, area, start, end, ways, compute):
    path = _path(area)
    if start >= end:
        raise BadInput("the period must end after it starts", field="end")
    ways_key = "*" if ways is None else ",".join(sorted(map(str, ways)))
    key = (
        f"{_PREFIX}{what}:{_versions(path)}:{path}:{start.isoformat()}:{end.isoformat()}:{ways_key}"
    )
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def participants(
    area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None = None
) -> int:
    """Residents taking part: distinct participants with any participation in ``[start, end)``
    in the subtree of ``area`` (an ``Area`` or its path); ``ways`` narrows the ways counted.

    Formula: COUNT(DISTINCT participant) over participations with
    area_path in subtree(area) and start <= at < end. Cached until a write beneath
    ``area`` (the module's note); ``count_participants`` is the count itself.
    """
    ways = None if ways is None else list(ways)
    return _cached("n", area, start, end, ways, lambda: count_participants(area, start, end, ways))


def count_participants(
    area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None = None
) -> int:
    """``participants``' formula, counted now from the rows (no cache)."""
    return _scoped(area, start, end, ways).values("participant").distinct().count()


def participants_by_way(area, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Distinct participants per way (a person taking part two ways counts in both).
    Cached as ``participants``."""
    return dict(_cached("w", area, start, end, None, lambda: count_by_way(area, start, end)))


def count_by_way(area, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """``participants_by_way``, counted now from the rows (no cache)."""
    rows = (
        _scoped(area, start, end, None)
        .values("way")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    counts = dict.fromkeys(Way.values, 0)
    counts.update({r["way"]: r["n"] for r in rows})
    return counts
