"""What the organisations add to a campaign's board under 培育主体 (``campaigns.hooks``):
counted live over the campaign's area and period, each with its one definition."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.campaigns.hooks import register_stage_figure
from shezhi.core.lists.ranges import subtree_q

from .models import ORDER, Member, Organisation, StageMove


def organisations_founded(campaign) -> int:
    """count(organisations of c's area subtree with founded_on in c's period)."""
    return Organisation.objects.filter(
        subtree_q("area_path", campaign.area_path),
        founded_on__gte=campaign.starts_on,
        founded_on__lte=campaign.ends_on,
    ).count()


def organisations_moved_on(campaign) -> int:
    """count(distinct organisations of c's area subtree with a forward stage move (to a
    later stage than it came from) dated in c's period): incubated one step or more."""
    # Every (from, to) pair where "to" comes later in ORDER (the registration's own row,
    # from "", is not a move on).
    forward = Q()
    for i, frm in enumerate(ORDER):
        forward |= Q(from_stage=frm, to_stage__in=ORDER[i + 1 :])
    return (
        StageMove.objects.filter(
            forward,
            subtree_q("area_path", campaign.area_path),
            on__gte=campaign.starts_on,
            on__lte=campaign.ends_on,
        )
        .values("organisation_id")
        .distinct()
        .count()
    )


def members_joined(campaign) -> int:
    """count(memberships of organisations of c's area subtree with joined_on in c's period)."""
    return Member.objects.filter(
        subtree_q("organisation__area_path", campaign.area_path),
        joined_on__gte=campaign.starts_on,
        joined_on__lte=campaign.ends_on,
    ).count()


def register() -> None:
    for key, label, fn in (
        ("organisations_founded", _("Organisations founded"), organisations_founded),
        ("organisations_moved_on", _("Organisations incubated a stage"), organisations_moved_on),
        ("organisation_members_joined", _("Members joined"), members_joined),
    ):
        register_stage_figure("incubate", key, label, fn, definition=fn.__doc__)
