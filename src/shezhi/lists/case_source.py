"""A delivered needs-list item as the source of a case (分享案例): cases fills the case's
figures in from here (``cases.hooks``); lists imports only that registry."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.cases.hooks import Figure, register_case_source

from . import selectors
from .models import ListProject, NeedItem


def item_figures(item: NeedItem) -> list[Figure]:
    figures = [Figure(_("Residents behind the item"), item.residents, _("households"))]
    project = ListProject.objects.filter(item=item).select_related("resource").first()
    if project is not None:
        unit = project.resource.capacity_unit
        figures.append(Figure(_("Capacity delivered"), project.capacity_used, unit))
    summary = selectors.rating_summary(item)
    if summary["ratings"]:
        figures.append(Figure(_("Residents' rating"), round(summary["rating"], 1), _("of 5")))
        figures.append(Figure(_("Ratings"), summary["ratings"], ""))
    return figures


def register() -> None:
    register_case_source("lists.needitem", gettext_lazy("Needs-list item"), item_figures)
