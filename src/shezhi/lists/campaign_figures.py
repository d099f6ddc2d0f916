"""What the three lists add to a campaign's board under 发布清单 (``campaigns.hooks``):
counted live over the campaign's area and period, each with its one definition."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.campaigns.hooks import register_stage_figure
from shezhi.core.lists.ranges import subtree_q
from shezhi.core.periods import days_window

from .models import NeedItem, NeedsList


def lists_published(campaign) -> int:
    """count(needs lists of c's area subtree with published_at in c's period, its last
    day included)."""
    start, end = days_window(campaign.starts_on, campaign.ends_on)
    return NeedsList.objects.filter(
        subtree_q("area_path", campaign.area_path), published_at__gte=start, published_at__lt=end
    ).count()


def items_published(campaign) -> int:
    """count(items of the lists counted by ``lists_published``)."""
    start, end = days_window(campaign.starts_on, campaign.ends_on)
    return NeedItem.objects.filter(
        subtree_q("area_path", campaign.area_path),
        needs_list__published_at__gte=start,
        needs_list__published_at__lt=end,
    ).count()


def register() -> None:
    register_stage_figure(
        "publish", "lists_published", _("Needs lists published"), lists_published,
        definition=lists_published.__doc__,
    )  # fmt: skip
    register_stage_figure(
        "publish", "list_items_published", _("List items published"), items_published,
        definition=items_published.__doc__,
    )  # fmt: skip
