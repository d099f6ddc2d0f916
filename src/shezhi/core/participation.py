"""Who took part: one record for every way a resident or person takes part (issue 16 §6).

"Residents taking part" (参与居民) is the number of distinct participants who, in a period and
an area, did any of: raised a demand, answered a broadcast, joined an organisation, took part
in an activity, took part in a project. Each domain calls ``record_participation`` inside the
transaction of its own step; stats counts them with ``participants`` (its one definition).
Core imports no app: the apps that know who a sign-in or a person is as a resident
(households) register a resolver with ``register_resolver``.

Keys (see ``Participation``): ``r:<resident>``, ``p:<person>``, ``u:<user>``; the first
known of resident, then person, then user, after the resolvers had their say.

Counts read a pre-aggregate, not the rows (``ParticipationDay``: per participant, area
above the row and local day, each day knowing the participant's previous one), kept by
every write of this module in the write's own transaction: a record adds its day to the
chains above it (a few queries); a withdrawal, a merge or a delete rebuilds the chains
of the participants it touched from their rows. So the first read after a write costs
what every read costs: an index range of the period's days, no DISTINCT (the model's
note proves the count exact). A count the pre-aggregate cannot answer (bounds that are
not local midnights, a path off the tree's steps, several ways but not all) is counted
from the rows (``count_participants``), with the same result. Rows are written only
through this module; a writer elsewhere (the admin's delete) calls ``delete_rows``.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .errors import BadInput
from .lists.ranges import subtree_q
from .models import Participation, ParticipationDay

Way = Participation.Way
ANY_WAY = ParticipationDay.ANY_WAY

# The areas' tree: treebeard's step (``Area.steplen``; a test holds them equal). A row is
# counted for each whole step of its path: the areas a count can be asked for.
PATH_STEP = 4
# ``prev_day`` of a chain's first day: before every period (days are ``date.toordinal()``).
FIRST = 0
# Participants per statement when rebuilding (an IN list of keys).
CHUNK = 500
# PostgreSQL advisory locks (namespaces): the chains of one participant, and all of them.
_LOCK_ONE, _LOCK_ALL = 16_001, 16_002

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


def local_day(at: dt.datetime) -> dt.date:
    """The day of ``at`` in the installation's time zone (the pre-aggregate's days)."""
    return timezone.localtime(at, timezone.get_default_timezone()).date()


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


# -- the pre-aggregate -------------------------------------------------------------------


def _above(path: str) -> list[str]:
    """The paths of the areas whose subtree holds ``path``: each whole step, and itself."""
    return [path[:n] for n in range(PATH_STEP, len(path), PATH_STEP)] + [path]


def day_rows(rows: Iterable[tuple[str, str, str, dt.date]]) -> Iterator[tuple]:
    """The pre-aggregate of some participants' rows, all of them: from (participant, way,
    area_path, day) to (participant, prefix, way, day, prev_day), each chain in full, days
    as ordinals."""
    chains: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for key, way, path, date in rows:
        day = date.toordinal()
        for prefix in _above(path):
            chains[key, prefix, ANY_WAY].add(day)
            chains[key, prefix, way].add(day)
    for (key, prefix, way), days in chains.items():
        prev = FIRST
        for day in sorted(days):
            yield key, prefix, way, day, prev
            prev = day


def rebuild(keys: Iterable[str] | None = None, *, raw=Participation, days=ParticipationDay) -> int:
    """Rebuild the chains of ``keys`` (None: everyone) from their rows; returns rows written.

    ``raw``/``days`` are the models (a migration passes its historical ones)."""
    if keys is None:
        days.objects.all().delete()
        keys = raw.objects.order_by().values_list("participant", flat=True).distinct()
    keys = sorted(set(keys))
    # Plain rows through the cursor, many to a statement: the model layer's cost per row
    # was most of a rebuild's, one statement per row most of what was left (PostgreSQL).
    db = connections[days.objects.db]
    per = max(1, min(1000, (db.features.max_query_params or 5000) // 5))
    table = days._meta.db_table  # the model's own name; the values are parameters
    head = f"INSERT INTO {table} (participant, prefix, way, day, prev_day) VALUES "  # noqa: S608
    written = 0
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        days.objects.filter(participant__in=chunk).delete()
        found = raw.objects.filter(participant__in=chunk).values_list(
            "participant", "way", "area_path", "at"
        )
        made = list(day_rows((k, w, a, local_day(at)) for k, w, a, at in found))
        with db.cursor() as cur:
            for j in range(0, len(made), per):
                batch = made[j : j + per]
                values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
                cur.execute(head + values, [v for row in batch for v in row])
        written += len(made)
    return written


def _lock(keys: Iterable[str]) -> None:
    """Hold the chains of ``keys`` to the end of the transaction (PostgreSQL; SQLite's
    writers queue at BEGIN IMMEDIATE). Many keys take the lock of all chains."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(set(keys))
    with connection.cursor() as cur:
        if len(keys) > 32:
            cur.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_LOCK_ALL])
            return
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [_LOCK_ALL])
        for key in keys:
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_ONE, key])


def _add_day(row: Participation) -> None:
    """Add one new row's day to the chains above it (inside the row's transaction)."""
    key, day = row.participant, local_day(row.at).toordinal()
    wanted = [(p, w) for p in _above(row.area_path) for w in (ANY_WAY, row.way)]
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p, w, d in ParticipationDay.objects.filter(
        participant=key, prefix__in=[p for p, _ in wanted], way__in=[ANY_WAY, row.way]
    ).values_list("prefix", "way", "day"):
        seen[p, w].append(d)
    made, relink = [], []
    for p, w in wanted:
        chain = seen[p, w]
        if day in chain:
            continue
        before = [d for d in chain if d < day]
        after = [d for d in chain if d > day]
        made.append(
            ParticipationDay(
                participant=key, prefix=p, way=w, day=day, prev_day=max(before, default=FIRST)
            )
        )
        if after:
            relink.append(Q(prefix=p, way=w, day=min(after)))
    ParticipationDay.objects.bulk_create(made)
    if relink:
        ParticipationDay.objects.filter(participant=key).filter(
            functools.reduce(operator.or_, relink)
        ).update(prev_day=day)


# -- writes ------------------------------------------------------------------------------


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
            _lock([row.participant])
            row.save()
            _add_day(row)
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
    keys = {r.participant for r in built}
    with transaction.atomic():
        _lock(keys)
        Participation.objects.bulk_create(built, batch_size=batch_size, ignore_conflicts=True)
        rebuild(keys)
    return len(built)


def delete_rows(queryset) -> int:
    """Delete participations other than by their source (the admin): their chains follow."""
    with transaction.atomic():
        keys = set(queryset.values_list("participant", flat=True).distinct())
        _lock(keys)
        deleted, _ = queryset.delete()
        rebuild(keys)
    return deleted


def withdraw(*, way: str, source) -> int:
    """Forget the participation a source recorded (e.g. a backing withdrawn)."""
    return delete_rows(
        Participation.objects.filter(
            way=way, source_type=source._meta.label_lower, source_id=source.pk
        )
    )


def merge_participant(*, old: str, new: str) -> int:
    """Move ``old``'s rows to ``new`` (a sign-in bound to its resident); returns rows moved.

    A row that ``new`` already has for the same source is dropped rather than duplicated.
    """
    if old == new:
        return 0
    with transaction.atomic():
        _lock([old, new])
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
        rebuild([old, new])
        return moved


def counts_changed(keys: Iterable[str] | None = None) -> None:
    """Rows of ``keys`` (None: anyone's) changed other than through this module."""
    with transaction.atomic():
        rebuild(keys)


# -- counts ------------------------------------------------------------------------------


def _check(start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None) -> list | None:
    if start >= end:
        raise BadInput("the period must end after it starts", field="end")
    if ways is None:
        return None
    ways = list(ways)
    unknown = [w for w in ways if w not in Way.values]
    if unknown:
        raise BadInput(f"unknown way of taking part: {unknown[0]!r}", field="ways")
    return ways


def _scoped(area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None):
    ways = _check(start, end, ways)
    qs = Participation.objects.filter(
        subtree_q("area_path", _path(area)), at__gte=start, at__lt=end
    )
    if ways is not None:
        qs = qs.filter(way__in=ways)
    return qs


def _midnight(at: dt.datetime) -> dt.date | None:
    """The local day ``at`` starts, or None when it is not a local midnight."""
    local = timezone.localtime(at, timezone.get_default_timezone())
    return local.date() if local.time() == dt.time(0) else None


def _days(area, start: dt.datetime, end: dt.datetime):
    """The pre-aggregate's question for ``[start, end)`` in ``area``, or None when it
    cannot answer it (bounds off local midnights, a path off the tree's steps)."""
    path = _path(area)
    first, stop = _midnight(start), _midnight(end)
    if first is None or stop is None or len(path) % PATH_STEP:
        return None
    first, stop = first.toordinal(), stop.toordinal()
    return ParticipationDay.objects.filter(
        prefix=path, day__gte=first, day__lt=stop, prev_day__lt=first
    )


def participants(
    area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None = None
) -> int:
    """Residents taking part: distinct participants with any participation in ``[start, end)``
    in the subtree of ``area`` (an ``Area`` or its path); ``ways`` narrows the ways counted.

    Formula: COUNT(DISTINCT participant) over participations with
    area_path in subtree(area) and start <= at < end. Read from the pre-aggregate (the
    module's note), equal to ``count_participants``, the count from the rows.
    """
    ways = _check(start, end, ways)
    if ways is not None and not ways:
        return 0
    if ways is None or set(ways) >= set(Way.values):
        chain = ANY_WAY
    elif len(set(ways)) == 1:
        chain = ways[0]
    else:
        chain = None  # several ways but not all: no chain holds them
    found = _days(area, start, end) if chain is not None else None
    if found is None:
        return count_participants(area, start, end, ways)
    return found.filter(way=chain).count()


def count_participants(
    area, start: dt.datetime, end: dt.datetime, ways: Iterable[str] | None = None
) -> int:
    """``participants``' formula, counted from the rows (the pre-aggregate's reference)."""
    return _scoped(area, start, end, ways).values("participant").distinct().count()


def participants_by_way(area, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Distinct participants per way (a person taking part two ways counts in both)."""
    _check(start, end, None)
    found = _days(area, start, end)
    if found is None:
        return count_by_way(area, start, end)
    rows = found.filter(way__in=Way.values).values("way").annotate(n=Count("*")).order_by()
    counts = dict.fromkeys(Way.values, 0)
    counts.update({r["way"]: r["n"] for r in rows})
    return counts


def count_by_way(area, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """``participants_by_way``, counted from the rows."""
    rows = (
        _scoped(area, start, end, None)
        .values("way")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    counts = dict.fromkeys(Way.values, 0)
    counts.update({r["way"]: r["n"] for r in rows})
    return counts
