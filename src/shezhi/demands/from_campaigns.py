"""A campaign's actions become demands (source=campaign): listens to
``campaigns.hooks`` inside the action's transaction.

- An answer to a 小广播 broadcast is the resident's own demand (made once per answer,
  nobody paid), placed at their household's micro-grid (else the broadcast's area),
  anonymous if they asked so. Its kind is the one the broadcast named.
- A wish heard at a 小红帽 round's stop at a street address (no household on record) is
  collected by the worker (paid ``demand_collected`` once), with the address encrypted.
"""

from __future__ import annotations

from shezhi.campaigns.hooks import BroadcastAnswered, RoundWish

from . import services
from .models import Demand, Kind


def _kind(kind: str) -> str:
    return kind if kind in Kind.values else Kind.OTHER


def record_answer(done: BroadcastAnswered) -> Demand:
    answer = done.answer
    return services.submit_demand(
        actor=answer.user,
        kind=_kind(answer.broadcast.kind),
        text=answer.text,
        source=Demand.Source.CAMPAIGN,
        area=done.area,
        household=done.household,
        address="" if done.household is not None else answer.broadcast.title[:200],
        anonymous=answer.anonymous,
        campaign=done.campaign,
        broadcast_answer=answer,
    ).demand


def record_wish(done: RoundWish) -> Demand:
    stop = done.stop
    return services.submit_demand(
        actor=done.worker,
        kind=_kind(stop.kind),
        text=stop.wish,
        source=Demand.Source.CAMPAIGN,
        area=stop.area,
        address=stop.address,
        campaign=done.campaign,
    ).demand
