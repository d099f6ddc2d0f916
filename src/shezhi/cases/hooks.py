"""Where a case can be written from: each app registers its kind of source here.

``register_case_source(model_label, label, figures_fn)``: rows of ``model_label``
("demands.demandgroup") may be a case's source; ``label`` names the kind ("需求组");
``figures_fn(obj)`` returns the figures a case written from ``obj`` starts with, a list
of ``Figure`` (or dicts with ``label``, ``value``, ``unit``). Register in your own
``AppConfig.ready()``; cases imports no source app (the demands example is registered
by cases itself, in ``sources.py``, reading demands' selectors only).

``source_kinds()`` lists what is registered; ``figures_of(obj)`` fills a case in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | float | str
    unit: str = ""


@dataclass(frozen=True)
class CaseSource:
    model_label: str
    label: Any  # text or a lazy translation
    figures_fn: Callable[[Any], list]


_sources: dict[str, CaseSource] = {}


def register_case_source(model_label: str, label, figures_fn: Callable[[Any], list]) -> None:
    """Let rows of ``model_label`` (``app_label.modelname``) be a case's source."""
    key = model_label.lower()
    _sources[key] = CaseSource(key, label, figures_fn)


def source_kinds() -> dict[str, CaseSource]:
    return dict(_sources)


def source_for(model_label: str) -> CaseSource | None:
    return _sources.get((model_label or "").lower())


def figures_of(obj) -> list[dict]:
    """The figures a case written from ``obj`` starts with (plain dicts, JSON-ready)."""
    source = source_for(obj._meta.label_lower)
    if source is None:
        return []
    out = []
    for f in source.figures_fn(obj) or []:
        d = asdict(f) if isinstance(f, Figure) else dict(f)
        out.append({"label": str(d["label"]), "value": d["value"], "unit": str(d.get("unit", ""))})
    return out
