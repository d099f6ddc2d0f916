"""The one transition table of the event loop (GB/T 30428's seven steps and the side paths).

Each action names the states it may start from, the state it leads to (None:
the state stays), who may perform it, and whom it tells. ``services.perform`` is
the only code that applies it, with the action's effect (``services.effects``);
``permissions`` decides who may take it (pages and the API ask
``permissions.allowed_actions`` what to offer); ``facts`` says what stats reads of it.

Who (``Party``):
- ``dispatcher``: community/street staff or district admin holding the event's
  current level (``owner_area``), including every level above it;
- ``grid``: a grid worker of the event's micro-grid (小事不出网格: they register
  and take on what their grid can solve);
- ``handler``: whoever the event is dispatched to (the worker, staff of the
  community, staff of the department);
- ``verifier``: a grid worker of the event's area, the reporter, or a dispatcher
  (only a dispatcher for an on-the-spot handling drawn for a spot check);
- ``reporter``: the user who reported it;
- ``summoned``: staff of a department summoned by an open whistle;
- ``system``: the platform itself (``actor=None``), e.g. the SLA scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Event

S = Event.State


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None
    parties: tuple[str, ...]
    needs_reason: bool = False
    # The step tells the event's followers (its reporter and the "me too"s).
    tells_followers: bool = False
    # Residents hear of the step in their own words (``notices``); the other steps are
    # internal (the dispatch, above all) and not news for them.
    resident_news: bool = False
    # ``target`` None: the state stays, except that a whistle blown over an event
    # nobody handles yet dispatches it to the first summoned department.


def _a(
    name, label, sources, target, parties, needs_reason=False, *, followers=False, news=False
) -> Action:
    return Action(
        name, label, frozenset(sources), target, tuple(parties), needs_reason,
        tells_followers=followers, resident_news=news,
    )  # fmt: skip


# fmt: off
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a("register", _("Register"), [S.REPORTED], S.REGISTERED, ["dispatcher", "grid"],
           followers=True, news=True),
        _a("void", _("Void"), [S.REPORTED], S.VOIDED, ["dispatcher"], needs_reason=True,
           followers=True, news=True),
        _a("merge", _("Merge as a duplicate"), [S.REPORTED, S.REGISTERED], S.MERGED,
           ["dispatcher"], followers=True, news=True),
        _a("dispatch", _("Dispatch"), [S.REGISTERED, S.RETURNED], S.DISPATCHED,
           ["dispatcher", "grid"], followers=True),
        _a("accept", _("Accept"), [S.DISPATCHED], S.ACCEPTED, ["handler"]),
        _a("return", _("Send back: not ours"), [S.DISPATCHED, S.ACCEPTED], S.RETURNED,
           ["handler"], needs_reason=True),
        _a("handle", _("Report the result"), [S.ACCEPTED], S.HANDLED, ["handler"],
           followers=True, news=True),
        _a("verify_pass", _("Verified: close"), [S.HANDLED], S.CLOSED, ["verifier"],
           followers=True, news=True),
        _a("verify_fail", _("Verification failed: rework"), [S.HANDLED], S.ACCEPTED,
           ["verifier"], needs_reason=True),
        # 当场处置 (spot.handle_on_spot): the worker's own on-the-spot fix closes without a
        # second person, unless it was drawn for the community's spot check.
        _a("close_on_spot", _("Handled on the spot: close"), [S.HANDLED], S.CLOSED,
           ["handler"], followers=True),
        _a("request_deferral", _("Ask to defer"), [S.ACCEPTED], S.DEFERRAL_REQUESTED,
           ["handler"], needs_reason=True),
        _a("approve_deferral", _("Approve the deferral"), [S.DEFERRAL_REQUESTED], S.DEFERRED,
           ["dispatcher"]),
        _a("reject_deferral", _("Refuse the deferral"), [S.DEFERRAL_REQUESTED], S.ACCEPTED,
           ["dispatcher"], needs_reason=True),
        _a("resume", _("Resume handling"), [S.DEFERRED], S.ACCEPTED, ["dispatcher", "handler"]),
        _a("reopen", _("Reopen"), [S.CLOSED], S.REGISTERED, ["reporter"], needs_reason=True),
        _a("rate", _("Rate"), [S.CLOSED], None, ["reporter"]),
        _a("escalate", _("Escalate to the level above"), [S.REPORTED, S.REGISTERED, S.RETURNED],
           None, ["dispatcher", "grid"], needs_reason=True),
        # The SLA scan, for an overdue event whose category says so: the level
        # above now holds it and sees it in its queue; the handler keeps working.
        _a("escalate_overdue", _("Escalated as overdue"),
           [S.DISPATCHED, S.ACCEPTED, S.DEFERRAL_REQUESTED], None, ["system"]),
        _a("whistle", _("Blow the whistle"),
           [S.REGISTERED, S.RETURNED, S.DISPATCHED, S.ACCEPTED], None, ["dispatcher"],
           needs_reason=True),
        _a("report_in", _("Report in"),
           [S.REGISTERED, S.RETURNED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.DEFERRAL_REQUESTED,
            S.DEFERRED], None, ["summoned"]),
        _a("rate_whistle", _("Rate a department's response"),
           [S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.CLOSED, S.DEFERRED, S.DEFERRAL_REQUESTED],
           None, ["dispatcher"]),
        _a("me_too", _("Me too"),
           [S.REPORTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.RETURNED,
            S.DEFERRAL_REQUESTED, S.DEFERRED], None, ["anyone"]),
    )
}
# fmt: on

# The state an action leads to, for the history and the docs.
TABLE = {name: (sorted(a.sources), a.target) for name, a in ACTIONS.items()}
