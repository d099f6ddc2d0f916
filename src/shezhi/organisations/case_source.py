"""An organisation as the source of a case (分享案例): the case starts with its stage,
members, activities and the support it received (``cases.hooks``)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.cases.hooks import Figure, register_case_source

from .models import ActivityHeld, DemandTaken, Member, Support


def organisation_figures(org) -> list[Figure]:
    money = Support.objects.filter(organisation=org).aggregate(fen=Sum("amount_fen"))["fen"] or 0
    return [
        Figure(_("Stage"), str(org.get_stage_display())),
        Figure(_("Members"), Member.objects.filter(organisation=org, left_on__isnull=True).count()),
        Figure(_("Activities held"), ActivityHeld.objects.filter(organisation=org).count()),
        Figure(_("Demand groups taken on"), DemandTaken.objects.filter(organisation=org).count()),
        Figure(_("Money received"), f"{money / 100:.2f}", _("yuan")),
    ]


def register() -> None:
    register_case_source(
        "organisations.organisation", gettext_lazy("Organisation"), organisation_figures
    )
