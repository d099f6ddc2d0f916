"""A campaign as the source of a case (分享案例): the case starts with what the campaign
produced, its board's figures (``hooks.stage_figures``), as they stand when it is written."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from shezhi.cases.hooks import Figure, register_case_source

from . import hooks


def campaign_figures(campaign) -> list[Figure]:
    return [Figure(str(f.label), f.fn(campaign)) for f in hooks.stage_figures()]


def register() -> None:
    register_case_source("campaigns.campaign", gettext_lazy("Campaign"), campaign_figures)
