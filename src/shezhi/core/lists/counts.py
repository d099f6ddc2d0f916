"""Counts that stop at a cap (``capped_count``, ``capped_counts``): "1,000+" costs at
most ``cap + 1`` rows of an index, however many match."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# Counts stop here on pages and in the API: "1,000+" (see capped_count).
COUNT_CAP = 1000


@dataclass(frozen=True)
class Count:
    """How many rows, exact below the cap; ``capped``: at least ``value``."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> Count:
    """Count ``qs`` up to ``cap`` rows: ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``.

    The work is bounded by the cap, however many rows match.
    """
    n = qs.order_by().values("pk")[: cap + 1].count()
    return _count(n, cap)


def _count(n: int, cap: int) -> Count:
    return Count(cap, capped=True) if n > cap else Count(n)


def capped_counts(querysets: Mapping[str, QuerySet], cap: int = COUNT_CAP) -> dict[str, Count]:
    """``capped_count`` of each of ``querysets`` (all on one database), in one statement:
    ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1) AS c), …`` (a page's tabs).

    Each count is bounded by the cap as ``capped_count``'s is; one round trip for all.
    """
    if not querysets:
        return {}
    using = next(iter(querysets.values())).db
    parts: list[str] = []
    params: list[Any] = []
    for qs in querysets.values():
        inner = qs.order_by().values("pk")[: cap + 1]
        try:
            sql, inner_params = inner.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # e.g. ``none()`` or an empty ``__in``: nothing to count
            parts.append("0")
            continue
        # The ORM's own SQL, its values left as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(inner_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: _count(int(n), cap) for name, n in zip(querysets, row, strict=True)}
