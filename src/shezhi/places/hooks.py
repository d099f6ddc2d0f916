"""The service hubs' figures: a registry other apps add their numbers to.

A hub page (社治港湾 … 小区服务集装箱) shows its tier's figures — events handled in its
area, volunteers, visits, demands — and the same for each child hub. Places owns none
of these numbers: the app that owns each registers a provider in its own
``AppConfig.ready()``::

    from shezhi.places import hooks
    hooks.register_hub_figure("volunteers", _("Volunteers"), count_one,
                              many=count_many, definition=_("people checked in …"))

``fn(target, period) -> int | None`` counts one target: an ``areas.Area`` (district,
street or community) or a ``households.Compound``; ``period`` is a
``core.periods.Period`` (local dates, end exclusive). None: the figure has no
meaning for that target (shown as "—"). ``many(targets, period) -> list[int | None]``
counts a page's targets at once (the hub and all its children) in a fixed number of
queries; give it, or the page costs one call of ``fn`` per child.

``reach(targets)`` says which area paths each target covers: an area its own path;
a compound the micro-grids its buildings stand in (events, visits and posts are
located to micro-grids, not to compounds). A provider counts rows inside those
paths, so every figure of a compound follows one definition.

Only registered figures are shown: a page never promises a number nobody counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shezhi.households.models import Building

Target = Any  # areas.Area | households.Compound
One = Callable[[Target, Any], "int | None"]
Many = Callable[[Sequence[Target], Any], "list[int | None]"]


@dataclass(frozen=True)
class HubFigure:
    key: str
    label: Any  # a lazy translation
    fn: One
    many: Many | None = None
    definition: Any = ""
    order: int = 100

    def counts(self, targets: Sequence[Target], period) -> list[int | None]:
        if not targets:
            return []
        if self.many is not None:
            found = list(self.many(targets, period))
            if len(found) != len(targets):
                raise ValueError(f"hub figure {self.key!r}: many() gave {len(found)} values")
            return found
        return [self.fn(t, period) for t in targets]


_FIGURES: dict[str, HubFigure] = {}


def register_hub_figure(
    key: str,
    label,
    fn: One,
    *,
    many: Many | None = None,
    definition="",
    order: int = 100,
) -> None:
    """Register (or replace: ``ready()`` may run twice in tests) the figure ``key``."""
    if not key or not key.replace("_", "").isalnum():
        raise ValueError(f"a hub figure's key is a plain name, not {key!r}")
    _FIGURES[key] = HubFigure(key, label, fn, many, definition, order)


def unregister_hub_figure(key: str) -> None:
    _FIGURES.pop(key, None)


def hub_figures() -> list[HubFigure]:
    """The registered figures, in their order (then by key)."""
    return sorted(_FIGURES.values(), key=lambda f: (f.order, f.key))


def reach(targets: Sequence[Target]) -> list[list[str]]:
    """The area paths each target covers (see the module's docstring), in one query for
    all compounds among them."""
    compound_ids = [t.pk for t in targets if not hasattr(t, "path")]
    paths: dict[int, set[str]] = {}
    if compound_ids:
        rows = (
            Building.objects.filter(compound_id__in=compound_ids)
            .order_by()
            .values_list("compound_id", "area_path")
            .distinct()
        )
        for compound_id, path in rows:
            paths.setdefault(compound_id, set()).add(path)
    return [[t.path] if hasattr(t, "path") else sorted(paths.get(t.pk, ())) for t in targets]


def common_path(reaches: Sequence[Sequence[str]], steplen: int) -> str:
    """The deepest area path above every path in ``reaches`` ("" when they share none)."""
    flat = [p for r in reaches for p in r]
    if not flat:
        return ""
    low, high = min(flat), max(flat)
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n - n % steplen]


def within(path: str, reach: Sequence[str]) -> bool:
    """Is ``path`` inside one of the subtrees ``reach``?"""
    return any(path.startswith(p) for p in reach)


__all__ = [
    "HubFigure",
    "common_path",
    "hub_figures",
    "reach",
    "register_hub_figure",
    "unregister_hub_figure",
    "within",
]
