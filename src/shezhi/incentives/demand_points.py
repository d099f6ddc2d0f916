"""The points a collected demand earns (incentives.rules: ``demand_collected``).

Listens to demands' collected demands (``demands.hooks.on_demand_collected``), inside
the demand's own transaction: a demand and its points commit or roll back together.
Paid to the worker or staff who collected it (a visit's need, a campaign action, on a
resident's behalf), never to a resident raising their own. Keyed on the demand
(``demand_collected:demand:<id>``): once per demand; the daily cap applies.
Registered in ``IncentivesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.demands.hooks import DemandCollected

from . import services as points
from .models import CauseType, RuleKind, Transfer


def award_demand(done: DemandCollected) -> Transfer | None:
    demand = done.demand
    return points.award_piece(
        kind=RuleKind.DEMAND_COLLECTED,
        user=done.collector,
        area=demand.area,
        cause_type=CauseType.DEMAND,
        cause_id=str(demand.pk),
        # The demand's number only: a statement names neither the wish nor who asked.
        cause_ref=_("Demand #%(n)s") % {"n": demand.pk},
        at=demand.created_at,
        actor=done.collector,
    )
