"""Every write of the statistics: bringing facts and their sums up to date.

``sync_facts`` recomputes the facts of every event whose ``stats_stale`` flag
is set (each workflow step sets it; the SLA scan sets it when a deadline
passes) and applies the difference to the daily sums in the same transaction,
then clears the flag only where the event's version is still the one it read:
a step taken meanwhile leaves the event stale for the next sync. Safe to run
twice at once (the second waits for, then skips, the first one's events) and
idempotent.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.events.facts import Facts
from shezhi.events.facts import facts as step_facts
from shezhi.events.models import Event, EventTransition

from .counters import COUNTERS, counts
from .models import CategoryRollup, DailyRollup, EventFact, ReportingPeriod, StatsVersion

BATCH = 2000
EVENT_FIELDS = (
    "id",
    "version",
    "state",
    "area_path",
    "category_id",
    "created_at",
    "registered_at",
    "deadline_at",
    "dispatch_count",
    "redispatch_count",
    "rework_count",
    "bounce_count",
    "reopen_count",
    "rating",
    "emergency",
)


def rollup_path(area_path: str) -> str:
    """The community an event's sums go under (its own area when above that level)."""
    return area_path[: 3 * Area.steplen]


def street_path(area_path: str) -> str:
    return area_path[: 2 * Area.steplen]


@dataclass
class SyncResult:
    events: int = 0
    changed: int = 0
    seconds: float = 0.0


def sync_facts(*, batch: int = BATCH, limit: int | None = None) -> SyncResult:
    """Recompute the facts of stale events, ``batch`` per transaction (at most ``limit``)."""
    started = time.perf_counter()
    result = SyncResult()
    while limit is None or result.events < limit:
        size = batch if limit is None else min(batch, limit - result.events)
        with transaction.atomic():
            stale = Event.objects.filter(stats_stale=True).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                # A second sync at once takes other events (SQLite runs one writer anyway).
                stale = stale.select_for_update(skip_locked=True)
            ids = list(stale.values_list("id", flat=True)[:size])
            if not ids:
                break
            result.changed += _refresh(ids)
        result.events += len(ids)
        if len(ids) < size:
            break
    result.seconds = time.perf_counter() - started
    return result


def rebuild_facts(*, batch: int = BATCH) -> SyncResult:
    """Forget every fact and sum and compute them again from the events' histories."""
    with transaction.atomic():
        CategoryRollup.objects.all().delete()
        DailyRollup.objects.all().delete()
        EventFact.objects.all().delete()
        Event.objects.update(stats_stale=True)
    return sync_facts(batch=batch)


def _refresh(ids: list[int]) -> int:
    now = timezone.now()
    events = list(Event.objects.filter(pk__in=ids).only(*EVENT_FIELDS))
    steps: dict[int, list[Facts]] = defaultdict(list)
    for event_id, action, data in (
        EventTransition.objects.filter(event_id__in=ids)
        .order_by("event_id", "at", "id")
        .values_list("event_id", "action", "data")
    ):
        steps[event_id].append(step_facts(action, data))
    old = EventFact.objects.in_bulk(ids)
    facts, sums, categories = [], defaultdict(lambda: dict.fromkeys(COUNTERS, 0)), defaultdict(int)
    for event in events:
        new = counts(event, steps[event.pk], now)
        day = timezone.localdate(event.created_at)
        before = old.get(event.pk)
        if before is None:
            categories[(street_path(event.area_path), day, event.category_id)] += 1
        delta = {k: new[k] - (getattr(before, k) if before else 0) for k in COUNTERS}
        if any(delta.values()):
            key = (rollup_path(event.area_path), day)
            for k, v in delta.items():
                sums[key][k] += v
        if before is None or any(delta.values()) or before.version != event.version:
            facts.append(
                EventFact(
                    event_id=event.pk,
                    area_path=event.area_path,
                    rollup_path=rollup_path(event.area_path),
                    category_id=event.category_id,
                    reported_on=day,
                    version=event.version,
                    **new,
                )
            )
    if facts:
        EventFact.objects.bulk_create(
            facts,
            update_conflicts=True,
            unique_fields=["event"],
            update_fields=["version", *COUNTERS],
        )
    _add_sums(DailyRollup, ["path", "day"], COUNTERS, sums)
    _add_sums(
        CategoryRollup,
        ["path", "day", "category_id"],
        ["reported"],
        {key: {"reported": n} for key, n in categories.items()},
    )
    by_version: dict[int, list[int]] = defaultdict(list)
    for event in events:
        by_version[event.version].append(event.pk)
    for version, pks in by_version.items():
        Event.objects.filter(pk__in=pks, version=version).update(stats_stale=False)
    if sums:
        token = uuid.uuid4().hex
        updated = StatsVersion.objects.filter(pk=1).update(version=F("version") + 1, token=token)
        if not updated:
            StatsVersion.objects.create(pk=1, version=1, token=token)
    return len(sums)


def _add_sums(model, key_columns: list[str], columns, sums: dict) -> None:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c`` for each key's sums."""
    if not sums:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = [*key_columns, *columns]
    placeholders = "(" + ", ".join(["%s"] * len(cols)) + ")"
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in columns)
    rows = [[*key, *(values.get(c, 0) for c in columns)] for key, values in sums.items()]
    chunk = max(1, 900 // len(cols))  # within SQLite's parameter limit
    with connection.cursor() as cursor:
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            params = [
                connection.ops.adapt_datefield_value(v) if hasattr(v, "isoformat") else v
                for row in part
                for v in row
            ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(q(c) for c in cols)})"  # noqa: S608
                f" VALUES {', '.join([placeholders] * len(part))}"
                f" ON CONFLICT ({', '.join(q(c) for c in key_columns)}) DO UPDATE SET {updates}",
                params,
            )


def save_reporting_period(
    *, area: Area, label: str, start, last, is_default: bool = False
) -> ReportingPeriod:
    """Name a period for ``area``'s dashboards (replacing one of the same label); with
    ``is_default`` the dashboards of the area and below open on it (and no other does)."""
    if last < start:
        raise ValueError("A period ends on or after its first day.")
    with transaction.atomic():
        if is_default:
            ReportingPeriod.objects.filter(area=area, is_default=True).exclude(label=label).update(
                is_default=False
            )
        found, _created = ReportingPeriod.objects.update_or_create(
            area=area,
            label=label,
            defaults={"start": start, "last": last, "is_default": is_default},
        )
    return found
