"""Campaigns publishes its steps and keeps the registry of what each stage produced.

- ``register_stage_figure(stage, key, label, fn)``: the app that owns a number shown
  under a stage of the loop registers it in its own ``AppConfig.ready()``;
  ``fn(campaign) -> int`` counts it for one campaign (live: asked when the board is
  shown). Demands registers nothing itself: campaigns registers "demands collected"
  from ``demands.selectors`` (``figures``); the lists, organisations and cases apps
  register theirs under 发布清单, 培育主体 and 分享案例 when they land.
- ``on_broadcast_answered(listener)``: called with a ``BroadcastAnswered`` inside the
  answer's transaction; demands makes the answer a demand (source=campaign).
- ``on_round_wish(listener)``: called with a ``RoundWish`` inside the stop's
  transaction when a round stop at a street address heard a wish; demands makes it a
  demand (source=campaign) collected by the worker.

Only registered figures are shown: a board never promises a number nobody counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import STAGE_ORDER, BroadcastAnswer, Campaign, RoundStop


@dataclass(frozen=True)
class StageFigure:
    stage: str
    key: str
    label: Any  # a lazy translation
    fn: Callable[[Campaign], int]
    definition: Any = ""


_FIGURES: dict[str, StageFigure] = {}


def register_stage_figure(stage: str, key: str, label, fn, *, definition="") -> None:
    """Register (or replace: ``ready()`` may run twice) the figure ``key`` under ``stage``."""
    if stage not in STAGE_ORDER:
        raise ValueError(f"unknown stage {stage!r}; one of {STAGE_ORDER}")
    if not key or not key.replace("_", "").isalnum():
        raise ValueError(f"a stage figure's key is a plain name, not {key!r}")
    _FIGURES[key] = StageFigure(stage, key, label, fn, definition)


def unregister_stage_figure(key: str) -> None:
    _FIGURES.pop(key, None)


def stage_figures(stage: str | None = None) -> list[StageFigure]:
    """The registered figures (of ``stage``), in the loop's order, then by key."""
    found = [f for f in _FIGURES.values() if stage is None or f.stage == stage]
    return sorted(found, key=lambda f: (STAGE_ORDER.index(f.stage), f.key))


@dataclass(frozen=True)
class BroadcastAnswered:
    answer: BroadcastAnswer
    campaign: Campaign
    area: Any  # where the demand is placed: the resident's micro-grid, else the broadcast's
    household: Any  # the resident's household, or None


@dataclass(frozen=True)
class RoundWish:
    stop: RoundStop
    campaign: Campaign
    worker: Any


_answered: list[Callable[[BroadcastAnswered], Any]] = []
_wishes: list[Callable[[RoundWish], Any]] = []


def on_broadcast_answered(listener):
    if listener not in _answered:
        _answered.append(listener)
    return listener


def on_round_wish(listener):
    if listener not in _wishes:
        _wishes.append(listener)
    return listener


def broadcast_answered(done: BroadcastAnswered) -> None:
    for listener in _answered:
        listener(done)


def round_wish(done: RoundWish) -> None:
    for listener in _wishes:
        listener(done)
