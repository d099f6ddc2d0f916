"""A need ticked on a household visit becomes a demand (source=visit), once per (visit,
need): listens to ``visits.hooks.on_need_found`` inside the visit's transaction. The
wish is the need's label; the visit's notes (personal data) go to the encrypted notes,
never to the text the grouping reads. The worker who visited collected it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from shezhi.visits.hooks import NeedFound

from . import services
from .models import Demand, Kind

# The visit checklist's needs, as demand kinds.
KIND_OF_NEED = {
    "medical": Kind.ELDERLY_CARE,
    "daily_care": Kind.ELDERLY_CARE,
    "company": Kind.ELDERLY_CARE,
}


def _in_chinese(label: str) -> str:
    """The need's label as the grouping compares it: in Chinese whatever language the
    worker's page was in (the label comes translated; its English msgid translates back,
    a Chinese one is left as it is)."""
    with translation.override("zh-hans"):
        return gettext(str(label))


def record_need(found: NeedFound) -> Demand:
    return services.submit_demand(
        actor=found.visit.worker,
        kind=KIND_OF_NEED.get(found.need, Kind.OTHER),
        text=_in_chinese(found.label),
        source=Demand.Source.VISIT,
        area=found.visit.area,
        household=found.household,
        notes=found.notes,
        visit=found.visit,
        need=found.need,
    ).demand
