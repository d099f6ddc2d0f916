"""The contract of ``EventTransition.data``: what each step records, and how to read it.

``services`` writes a step's data (its effect, ``services.effects``); other apps read it through
``transition_facts`` (the KPI counters in ``stats.counters``, the points of a
closing in ``incentives.event_points``), never by raw keys, so a key renamed
here is renamed for every reader. The ``TypedDict`` per action documents the
keys each step writes; ``Facts`` is what readers get.
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class ReportData(TypedDict):
    source: str  # Event.Source: patrol, resident, hotline, api …


class HandlerData(TypedDict, total=False):
    """Who handles the event after a dispatch (or had it, on a return)."""

    handler_kind: str  # Event.HandlerKind: worker, area, department
    handler_user: int | None
    handler_area: str | None  # area code
    handler_department: str | None  # department code


class AnswerData(HandlerData, total=False):
    """An accept or a return: how soon the handler answered the dispatch."""

    response_seconds: int | None  # working seconds since the dispatch
    bounce: bool  # a department sent it back as not theirs


class HandleData(TypedDict, total=False):
    within_deadline: bool  # the handling was reported by the deadline
    working_seconds: int  # the working time the handling took
    on_spot: bool
    spot_check: bool


class VoidData(TypedDict):
    void_kind: str  # invalid or duplicate


class MergeData(TypedDict):
    master: int  # the event it duplicates


class RateData(TypedDict):
    rating: str  # Event.Rating


class EscalateData(TypedDict, total=False):
    from_area: str
    to_area: str
    deadline_at: str | None  # escalate_overdue: the deadline that passed (ISO)


class WhistleData(EscalateData, total=False):
    whistle: int
    departments: list[str]
    report_in_minutes: int
    lead: str  # the department that leads when nobody handled it yet


class ReportInData(TypedDict):
    summonses: list[int]
    on_time: bool


class RateWhistleData(TypedDict):
    summons: int
    department: str
    rating: int


# action → the keys its step records (an action not listed records none).
TRANSITION_DATA: dict[str, type] = {
    "report": ReportData,
    "void": VoidData,
    "merge": MergeData,
    "dispatch": HandlerData,
    "accept": AnswerData,
    "return": AnswerData,
    "handle": HandleData,
    "rate": RateData,
    "escalate": EscalateData,
    "escalate_overdue": EscalateData,
    "whistle": WhistleData,
    "report_in": ReportInData,
    "rate_whistle": RateWhistleData,
}


class Facts(NamedTuple):
    """What a step's data says, for the apps that count or pay by it."""

    action: str
    handler_kind: str | None  # dispatch: to whom (Event.HandlerKind)
    within_deadline: bool  # handle: reported by the deadline
    working_seconds: int | None  # handle: the working time it took
    response_seconds: int | None  # accept, return: how soon the handler answered


def facts(action: str, data: dict | None) -> Facts:
    """The facts of a step given as its action and data (e.g. from ``values_list``)."""
    data = data or {}
    return Facts(
        action,
        data.get("handler_kind"),
        bool(data.get("within_deadline")),
        data.get("working_seconds"),
        data.get("response_seconds"),
    )


def transition_facts(transition) -> Facts:
    """The facts of one ``EventTransition``."""
    return facts(transition.action, transition.data)
