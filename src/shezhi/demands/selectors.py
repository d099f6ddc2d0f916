"""Reads of demands, scoped here (``permissions.scope``): workers and staff their
subtree, a resident their own (``mine``), read-only roles the counts only.

Anonymity: ``asker(demand, user)`` is the one place that names who asked; it names an
anonymous demand's submitter to that submitter only. ``askers(demands)`` is the number
of distinct residents behind demands (households where known, else accounts; a demand
with neither counts alone), which counts anonymous ones without naming them.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from . import permissions
from .models import Demand, DemandGroup, DemandPhoto


def _scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def visible_demands(user) -> QuerySet[Demand]:
    """The demands ``user`` reads as a worker or staff (none for anyone else)."""
    if not permissions.can(user, "view"):
        return Demand.objects.none()
    return _scoped(Demand.objects.select_related("group"), permissions.scope(user, "view"))


def mine(user) -> QuerySet[Demand]:
    """The user's own demands, with what became of each."""
    if user is None or not user.is_authenticated:
        return Demand.objects.none()
    return Demand.objects.filter(submitter=user).order_by("-id")


def get_demand(user, pk) -> Demand:
    """A demand ``user`` may read: their own, or one in their scope; else 404."""
    d = (mine(user) | visible_demands(user)).filter(pk=pk).first()
    if d is None:
        raise Http404
    return d


def visible_groups(user, *, counted: bool = False) -> QuerySet[DemandGroup]:
    """The groups in ``user``'s scope; ``counted``: each with ``residents``, the distinct
    residents behind it (in the statement, as ``asker_key`` counts them)."""
    if not permissions.can(user, "view"):
        return DemandGroup.objects.none()
    qs = _scoped(DemandGroup.objects.all(), permissions.scope(user, "view"))
    if counted:
        no_home = Q(demands__household__isnull=True)
        qs = qs.annotate(
            residents=Count("demands__household", distinct=True)
            + Count("demands__submitter", distinct=True, filter=no_home)
            + Count("demands", filter=no_home & Q(demands__submitter__isnull=True))
        )
    return qs


QUEUE_ORDER = ("-id",)


def queue(user) -> QuerySet[DemandGroup]:
    """The grouping queue: the open groups ``user`` manages (staff of their communities),
    newest first (``QUEUE_ORDER``); none for anyone else."""
    if not permissions.can(user, "manage"):
        return DemandGroup.objects.none()
    return _scoped(
        DemandGroup.objects.filter(status=DemandGroup.Status.OPEN).select_related("area"),
        permissions.scope(user, "manage"),
    )


def managed_group(user, pk) -> DemandGroup:
    """An open or closed group ``user`` manages; else 404."""
    if not permissions.can(user, "manage"):
        raise Http404
    g = _scoped(DemandGroup.objects.all(), permissions.scope(user, "manage")).filter(pk=pk).first()
    if g is None:
        raise Http404
    return g


def managed_demand(user, pk) -> Demand:
    """A demand ``user`` manages; else 404."""
    if not permissions.can(user, "manage"):
        raise Http404
    d = _scoped(Demand.objects.all(), permissions.scope(user, "manage")).filter(pk=pk).first()
    if d is None:
        raise Http404
    return d


def members(group_ids, *, per_group: int = 50) -> dict[int, list[Demand]]:
    """The demands of each group (not closed ones), oldest first, at most ``per_group``."""
    out: dict[int, list[Demand]] = {g: [] for g in group_ids}
    rows = (
        Demand.objects.filter(group_id__in=out)
        .exclude(status=Demand.Status.CLOSED)
        .only("id", "group_id", "text", "kind", "source", "anonymous", "created_at")
        .order_by("id")
    )
    for d in rows:
        if len(out[d.group_id]) < per_group:
            out[d.group_id].append(d)
    return out


def photos_of(demand_ids) -> dict[int, list[DemandPhoto]]:
    """The photos of each demand (one statement), for demands already read in scope."""
    out: dict[int, list[DemandPhoto]] = {}
    for p in DemandPhoto.objects.filter(demand_id__in=list(demand_ids)).order_by("id"):
        out.setdefault(p.demand_id, []).append(p)
    return out


def get_group(user, pk) -> DemandGroup:
    g = visible_groups(user).filter(pk=pk).first()
    if g is None:
        raise Http404
    return g


def asker(demand: Demand, user):
    """Who asked, as ``user`` may see it: None for an anonymous demand (but to its
    submitter), the submitter's account otherwise."""
    if demand.anonymous and demand.submitter_id != getattr(user, "pk", None):
        return None
    return demand.submitter


def asker_key(household_id, submitter_id, pk) -> str:
    if household_id:
        return f"h{household_id}"
    if submitter_id:
        return f"u{submitter_id}"
    return f"d{pk}"


def askers(demands: QuerySet[Demand]) -> int:
    """Distinct residents behind ``demands`` (households where known): "27 户提出"."""
    rows = demands.values_list("household_id", "submitter_id", "pk")
    return len({asker_key(*r) for r in rows})


def group_askers(group_ids) -> dict[int, int]:
    """Distinct residents per group, one statement for the lot."""
    keys: dict[int, set[str]] = {g: set() for g in group_ids}
    rows = Demand.objects.filter(group_id__in=keys).values_list(
        "group_id", "household_id", "submitter_id", "pk"
    )
    for gid, hid, sid, pk in rows:
        keys[gid].add(asker_key(hid, sid, pk))
    return {g: len(k) for g, k in keys.items()}


def campaign_demands(campaign_id: int, visit_ids) -> QuerySet[Demand]:
    """The demands a campaign collected: heard by its actions (a broadcast's answers, a
    round's stops: ``Demand.campaign``) or ticked on a visit made on one of its rounds
    (``visit_ids``: a queryset of visit ids, evaluated in the database)."""
    return Demand.objects.filter(Q(campaign_id=campaign_id) | Q(visit_id__in=visit_ids))
