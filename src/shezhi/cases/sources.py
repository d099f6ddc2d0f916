"""The working example of a case source: a demand group (demands.DemandGroup).

Its figures: the distinct residents who asked (households where known, as the group's
"27 户提出" counts them: ``demands.selectors.group_askers``) and the demands gathered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.demands import selectors as demand_selectors
from shezhi.demands.models import Demand

from .hooks import Figure, register_case_source


def demand_group_figures(group) -> list[Figure]:
    residents = demand_selectors.group_askers([group.pk]).get(group.pk, 0)
    demands = Demand.objects.filter(group_id=group.pk).count()
    return [
        Figure(_("Residents who asked"), residents, _("households")),
        Figure(_("Demands gathered"), demands, _("items")),
    ]


def register() -> None:
    register_case_source("demands.demandgroup", gettext_lazy("Demand group"), demand_group_figures)
