"""Reads of campaigns, scoped here (``permissions.scope``): those who work an area read
the campaigns, rounds, broadcasts and packages whose area lies in their subtree; a
resident reads the broadcasts sent to them; anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.http import Http404

from shezhi.notifications.models import Notification

from . import hooks, permissions
from .models import (
    Broadcast,
    BroadcastAnswer,
    Campaign,
    Package,
    Result,
    Round,
    RoundVisit,
    Stage,
    TakeUp,
)


def _scoped(qs: QuerySet, user, action: str = "view") -> QuerySet:
    if not permissions.can(user, action):
        return qs.none()
    q = permissions.scope(user, action)
    return qs if q is None else qs.filter(q)


def visible_campaigns(user) -> QuerySet[Campaign]:
    return _scoped(Campaign.objects.select_related("area"), user)


def _get(qs: QuerySet, pk):
    obj = qs.filter(pk=pk).first() if isinstance(pk, int) else None
    if obj is None:
        raise Http404
    return obj


def get_campaign(user, pk) -> Campaign:
    return _get(visible_campaigns(user), pk)


def visible_rounds(user) -> QuerySet[Round]:
    return _scoped(Round.objects.select_related("campaign", "area"), user, "work")


def get_round(user, pk) -> Round:
    return _get(visible_rounds(user), pk)


def my_rounds(user) -> QuerySet[Round]:
    """The open rounds ``user`` is named on (the worker's phone list)."""
    return visible_rounds(user).filter(workers=user, status=Round.Status.OPEN)


def visible_broadcasts(user) -> QuerySet[Broadcast]:
    return _scoped(Broadcast.objects.select_related("campaign", "area"), user)


def get_broadcast(user, pk) -> Broadcast:
    return _get(visible_broadcasts(user), pk)


def received_broadcast(user, pk) -> Broadcast:
    """A broadcast sent to ``user`` (they hold its notification), else 404."""
    if user is None or not user.is_authenticated or not isinstance(pk, int):
        raise Http404
    b = Broadcast.objects.filter(pk=pk).first()
    if b is None or not Notification.objects.about(b).filter(user=user).exists():
        raise Http404
    return b


def my_answer(user, broadcast: Broadcast) -> BroadcastAnswer | None:
    return BroadcastAnswer.objects.filter(broadcast=broadcast, user=user).first()


def visible_packages(user) -> QuerySet[Package]:
    return _scoped(Package.objects.select_related("campaign", "area"), user, "work")


def get_package(user, pk) -> Package:
    return _get(visible_packages(user), pk)


def get_result(user, pk) -> Result:
    return _get(Result.objects.filter(campaign__in=visible_campaigns(user)), pk)


# ---------------------------------------------------------------------------
# Counts


@dataclass(frozen=True)
class BroadcastCounts:
    reach: int  # residents addressed when it was sent
    read: int  # of them, those who opened (or answered) it
    answers: int


def broadcast_counts(broadcasts) -> dict[int, BroadcastCounts]:
    """Reach, reads and answers of each broadcast, in two statements for the lot.

    read = distinct recipients whose notification of the broadcast has ``read_at``.
    """
    ids = [b.pk for b in broadcasts]
    if not ids:
        return {}
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Broadcast)
    reads = dict(
        Notification.objects.filter(subject_type=ct, subject_id__in=ids, read_at__isnull=False)
        .values_list("subject_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    answers = dict(
        BroadcastAnswer.objects.filter(broadcast_id__in=ids)
        .values_list("broadcast_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        b.pk: BroadcastCounts(b.reach, reads.get(b.pk, 0), answers.get(b.pk, 0)) for b in broadcasts
    }


@dataclass(frozen=True)
class PackageCounts:
    taken: int
    refused: int


def package_counts(packages) -> dict[int, PackageCounts]:
    ids = [p.pk for p in packages]
    rows = (
        TakeUp.objects.filter(package_id__in=ids)
        .values_list("package_id", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for pid, answer, n in rows:
        found.setdefault(pid, {})[answer] = n
    return {
        p: PackageCounts(found.get(p, {}).get("taken", 0), found.get(p, {}).get("refused", 0))
        for p in ids
    }


def round_visit_ids(campaign: Campaign) -> QuerySet:
    """The ids of the household visits made on the campaign's rounds (a subquery)."""
    return RoundVisit.objects.filter(round__campaign=campaign).values("visit_id")


@dataclass
class StageView:
    stage: str
    label: str
    current: bool
    done: bool
    moved_at: object = None
    figures: list[tuple[str, str, int]] = field(default_factory=list)  # key, label, count


def board(campaign: Campaign) -> list[StageView]:
    """The five stages, each with its registered figures counted now and when the
    campaign last moved there."""
    moved = {}
    for m in campaign.moves.all():
        moved[m.stage] = m.at
    order = [s.value for s in Stage]
    here = order.index(campaign.stage)
    out = []
    for i, s in enumerate(Stage):
        out.append(
            StageView(
                stage=s.value,
                label=str(s.label),
                current=i == here,
                done=i < here,
                moved_at=moved.get(s.value),
                figures=[(f.key, str(f.label), f.fn(campaign)) for f in hooks.stage_figures(s)],
            )
        )
    return out


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """The action counts shown on a campaign's card: rounds, visits on them, stops,
    broadcasts, answers, packages, households that took one."""
    return {
        "rounds": campaign.rounds.count(),
        "visits": RoundVisit.objects.filter(round__campaign=campaign).count(),
        "stops": campaign.rounds.aggregate(n=Count("stops"))["n"] or 0,
        "broadcasts": campaign.broadcasts.count(),
        "answers": BroadcastAnswer.objects.filter(broadcast__campaign=campaign).count(),
        "packages": campaign.packages.count(),
        "taken": TakeUp.objects.filter(
            package__campaign=campaign, answer=TakeUp.Answer.TAKEN
        ).count(),
    }


def published_results(campaign: Campaign) -> QuerySet[Result]:
    return campaign.results.filter(published_at__isnull=False).order_by("-published_at")
