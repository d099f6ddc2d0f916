"""What the case library adds to a campaign's board under 分享案例 (``campaigns.hooks``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.campaigns.hooks import register_stage_figure
from shezhi.core.lists.ranges import subtree_q
from shezhi.core.periods import days_window

from .models import Case


def cases_published(campaign) -> int:
    """count(cases of c's area subtree with published_at in c's period, its last day
    included, and still published)."""
    start, end = days_window(campaign.starts_on, campaign.ends_on)
    return Case.objects.filter(
        subtree_q("area_path", campaign.area_path),
        status=Case.Status.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    ).count()


def register() -> None:
    register_stage_figure(
        "share",
        "cases_published",
        _("Cases published"),
        cases_published,
        definition=cases_published.__doc__,
    )
