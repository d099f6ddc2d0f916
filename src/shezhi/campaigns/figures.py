"""The figures campaigns registers under the stages of the loop
(``hooks.register_stage_figure``); each with its one definition.

- 挖掘需求 ``demands_collected``: demands whose ``campaign`` is this campaign (a
  broadcast's answers, a round's stops) plus demands ticked on a household visit linked
  to one of its rounds — ``demands.selectors.campaign_demands(...).count()``.
- 挖掘需求 ``households_visited``: distinct households visited on its rounds.
- 挖掘需求 ``package_take_up``: households that took one of its packages (answer taken).
- 推出成果 ``results_published``: its results with a ``published_at``.

发布清单 (lists), 培育主体 (organisations) and 分享案例 (cases) are counted by the apps
that own them when they land: each registers under its stage from its own ``ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.demands import selectors as demand_selectors

from . import hooks, selectors
from .models import RoundVisit, Stage, TakeUp


def demands_collected(campaign) -> int:
    """count(demands with campaign = c) ∪ (demands of visits made on c's rounds)."""
    return demand_selectors.campaign_demands(
        campaign.pk, selectors.round_visit_ids(campaign)
    ).count()


def households_visited(campaign) -> int:
    """count(distinct visit.household over visits linked to c's rounds)."""
    return (
        RoundVisit.objects.filter(round__campaign=campaign)
        .values("visit__household_id")
        .distinct()
        .count()
    )


def package_take_up(campaign) -> int:
    """count(take-ups of c's packages with answer = taken) (one per household and package)."""
    return TakeUp.objects.filter(package__campaign=campaign, answer=TakeUp.Answer.TAKEN).count()


def results_published(campaign) -> int:
    """count(results of c with published_at set)."""
    return campaign.results.filter(published_at__isnull=False).count()


def register() -> None:
    hooks.register_stage_figure(
        Stage.COLLECT, "demands_collected", _("Demands collected"), demands_collected,
        definition=demands_collected.__doc__,
    )  # fmt: skip
    hooks.register_stage_figure(
        Stage.COLLECT, "households_visited", _("Households visited"), households_visited,
        definition=households_visited.__doc__,
    )  # fmt: skip
    hooks.register_stage_figure(
        Stage.COLLECT, "package_take_up", _("Households taking a package"), package_take_up,
        definition=package_take_up.__doc__,
    )  # fmt: skip
    hooks.register_stage_figure(
        Stage.PRESENT, "results_published", _("Results presented"), results_published,
        definition=results_published.__doc__,
    )  # fmt: skip
