"""Writes of demands: submit (and group), close with an outcome, confirm / split / merge
groups. Every check runs before anything is written (a refusal is a ``BadInput``
naming the field, or ``Forbidden``); then one transaction writes the rows and
publishes the hooks (the collector's points commit or roll back with the demand).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.locating import InvalidCoordinates, OutsideAllDistricts, locate
from shezhi.areas.models import Area
from shezhi.core import participation
from shezhi.core import photos as photo_processing
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.inputs import text as _text
from shezhi.core.lists.ranges import subtree_q

from . import hooks, matching, permissions
from .models import Demand, DemandGroup, DemandPhoto, Kind

TEXT_MAX = 1000
ADDRESS_MAX = 200
OUTCOME_MAX = 1000


def _deepest(lng, lat) -> tuple[tuple[float, float], Area]:
    try:
        point, chain = locate(float(lng), float(lat))
    except (TypeError, ValueError, InvalidCoordinates, OutsideAllDistricts) as e:
        raise BadInput(str(e) or _("Not a point."), field="location") from None
    area = Area.objects.defer("boundary").get(pk=chain[0].id)
    return point, area


def community_of(area: Area) -> Area:
    """The community the area lies in (the area itself at or above a community)."""
    if c.LEVEL_INDEX[area.level] <= c.LEVEL_INDEX[c.COMMUNITY]:
        return area
    return Area.objects.defer("boundary").get(path__in=Area.lineage(area.path), level=c.COMMUNITY)


@dataclass(frozen=True)
class Submitted:
    demand: Demand
    created: bool


def submit_demand(
    *,
    actor,
    kind: str,
    text: str,
    source: str = Demand.Source.RESIDENT,
    lng=None,
    lat=None,
    address: str = "",
    area: Area | None = None,
    anonymous: bool = False,
    submitter=None,
    household=None,
    notes: str = "",
    visit=None,
    need: str = "",
    photos=(),
    campaign=None,
    broadcast_answer=None,
) -> Submitted:
    """Record a demand and put it in its community's group.

    ``source=resident``: the actor's own demand (``submitter`` is the actor, nobody is
    paid). Any other source: the actor collected it (a worker or staff of its area, paid
    ``demand_collected`` once); ``submitter`` is the resident's account when known.
    ``broadcast_answer``: a resident's answer to a campaign's broadcast (source
    campaign, their own, made once per answer).
    Located by its point, else by ``area`` (a resident's micro-grid, the area chosen),
    with the address as free text; ``photos`` (uploads, at most six) are checked before
    anything is written. The submitter, when known, is recorded as taking part
    (``core.participation``, way ``demand``; anonymously for an anonymous demand); a
    demand collected from a household without a known resident records nobody.
    """
    if source not in Demand.Source.values:
        raise BadInput(_("Unknown source %(s)s.") % {"s": source}, field="source")
    if kind not in Kind.values:
        raise BadInput(_("Unknown kind %(k)s.") % {"k": kind}, field="kind")
    text = _text(text, TEXT_MAX, "text", required=True)
    address = _text(address, ADDRESS_MAX, "address")
    notes = _text(notes, TEXT_MAX, "notes")
    if not isinstance(anonymous, bool):
        raise BadInput(_("Yes or no."), field="anonymous")
    point = None
    if lng is not None or lat is not None:
        point, area = _deepest(lng, lat)
    elif area is None and household is not None:
        area = household.micro_grid
    if area is None:
        raise BadInput(_("Give the place: a point on the map or the area."), field="location")
    if not address and point is None and household is None and area.level != c.MICRO_GRID:
        raise BadInput(_("Give the address or a point on the map."), field="address")
    # A resident's own: from the phone page, or their answer to a campaign's broadcast
    # (nobody collected it, nobody is paid).
    own = source == Demand.Source.RESIDENT or broadcast_answer is not None
    if not permissions.can(actor, "submit" if own else "collect", area):
        raise Forbidden(_("Only those who work this area collect its demands."))
    if own:
        submitter = actor
    if visit is not None:
        existing = Demand.objects.filter(visit=visit, need=need).first()
        if existing is not None:
            return Submitted(existing, False)
    if broadcast_answer is not None:
        existing = Demand.objects.filter(broadcast_answer=broadcast_answer).first()
        if existing is not None:
            return Submitted(existing, False)
    processed = photo_processing.process_photos(photos)  # a bad photo: nothing written
    saved: list[str] = []
    try:
        demand = _write(
            actor=actor, own=own, kind=kind, text=text, source=source, anonymous=anonymous,
            submitter=submitter, household=household, area=area, point=point,
            address=address, notes=notes, visit=visit, need=need, campaign=campaign,
            broadcast_answer=broadcast_answer, processed=processed,
            saved=saved,
        )  # fmt: skip
    except BaseException:
        for name in saved:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise
    return Submitted(demand, True)


def _write(
    *, actor, own, kind, text, source, anonymous, submitter, household, area, point,
    address, notes, visit, need, campaign, broadcast_answer, processed, saved,
) -> Demand:  # fmt: skip
    with transaction.atomic():
        demand = Demand.objects.create(
            kind=kind,
            text=text,
            source=source,
            anonymous=anonymous,
            submitter=submitter,
            collected_by=None if own else actor,
            household=household,
            area=area,
            area_path=area.path,
            lng=point[0] if point else None,
            lat=point[1] if point else None,
            address=address,
            notes=notes,
            visit=visit,
            need=need,
            campaign=campaign,
            broadcast_answer=broadcast_answer,
        )
        for p in processed:
            photo = DemandPhoto(demand=demand)
            photo.image.save(p.content.name, p.content, save=False)
            saved.append(photo.image.name)
            photo.save()
        group_demand(demand)
        if submitter is not None:
            # Residents taking part (issue 16 §6): the resident who asked, once per
            # demand; an anonymous one keeps neither the demand nor the hour.
            participation.record_participation(
                way=participation.Way.DEMAND,
                area=area,
                at=demand.created_at,
                source=demand,
                user=submitter,
                anonymous=anonymous,
            )
        if not own:
            hooks.demand_collected(hooks.DemandCollected(demand=demand, collector=actor))
    return demand


class _CommunityIndex:
    """The open demands of one community in a ``matching.Index`` (this process's copy).

    Each demand's profile is computed once, when this process first sees it; later
    calls only add the demands made since (``id > last``). The index answers which
    demands' *texts and places* match; which group each of them is in now, and whether
    it and its group are still open, is read from the database for the best few
    candidates (so a split, a merge or a close elsewhere is never missed). The number of
    demands is checked against the database on each call: any other change (rows gone,
    ids reused after a rolled-back test) rebuilds the index.
    """

    def __init__(self, community: Area) -> None:
        self.index = matching.Index(by_group=False)
        self.last = 0
        if c.LEVEL_INDEX[community.level] < c.LEVEL_INDEX[c.COMMUNITY]:
            # Demands located no deeper than a street or district group there alone.
            self.q = Q(area_path=community.path)
        else:
            self.q = subtree_q("area_path", community.path)

    def refresh(self, exclude: int | None) -> None:
        qs = Demand.objects.filter(self.q)
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        for pk, text, lng, lat in (
            qs.filter(pk__gt=self.last).order_by("pk").values_list("pk", "text", "lng", "lat")
        ):
            point = (lng, lat) if lng is not None and lat is not None else None
            self.index.add(matching.profile(text), point, ident=pk)
            self.last = pk
        if qs.count() != self.index.size:
            raise _Stale


class _Stale(Exception):
    pass


_indexes: dict[tuple[int, str], _CommunityIndex] = {}
_indexes_lock = threading.Lock()
# Candidates whose current group is read at once (best first).
_VERIFY_BATCH = 20


def forget_indexes() -> None:
    """Drop this process's demand indexes (tests that roll back the database)."""
    with _indexes_lock:
        _indexes.clear()


def _index_of(community: Area, exclude: int | None) -> matching.Index:
    key = (community.pk, community.path)
    with _indexes_lock:
        ix = _indexes.get(key)
        if ix is not None:
            try:
                ix.refresh(exclude)
                return ix.index
            except _Stale:
                pass
        ix = _indexes[key] = _CommunityIndex(community)
        ix.refresh(exclude)  # a fresh index cannot be stale
        return ix.index


def best_group(demand: Demand) -> tuple[DemandGroup | None, float]:
    """The open group of the demand's community holding the open demand that matches it
    best (at least ``matching.THRESHOLD``), and that score; ``(None, 0.0)`` when none
    does."""
    community = community_of(demand.area)
    index = _index_of(community, demand.pk)
    found = index.candidates(matching.profile(demand.text), demand.point)
    for start in range(0, len(found), _VERIFY_BATCH):
        batch = found[start : start + _VERIFY_BATCH]
        now = dict(
            Demand.objects.filter(
                pk__in=[i for _s, e in batch for i in e.idents],
                group__area=community,
                group__status=DemandGroup.Status.OPEN,
            )
            .exclude(status=Demand.Status.CLOSED)
            .values_list("pk", "group_id")
        )
        for s, e in batch:
            groups = [now[i] for i in e.idents if i in now]
            if groups:
                return DemandGroup.objects.get(pk=min(groups)), s
    return None, 0.0


def group_demand(demand: Demand) -> DemandGroup:
    group, s = best_group(demand)
    if group is None or s < matching.THRESHOLD:
        community = community_of(demand.area)
        group = DemandGroup.objects.create(
            area=community, area_path=community.path, kind=demand.kind, title=demand.text[:200]
        )
    demand.group = group
    demand.status = Demand.Status.GROUPED
    demand.save(update_fields=["group", "status"])
    return group


def _manage(actor, obj) -> None:
    if not permissions.can(actor, "manage", obj):
        raise Forbidden(_("Only the area's staff manage its demand groups."))


def confirm_group(*, actor, group: DemandGroup) -> DemandGroup:
    _manage(actor, group)
    group.confirmed_by = actor
    group.confirmed_at = timezone.now()
    group.save(update_fields=["confirmed_by", "confirmed_at"])
    return group


def split_demand(*, actor, demand: Demand) -> DemandGroup:
    """Take ``demand`` out of its group into a new confirmed group of its own."""
    _manage(actor, demand)
    if demand.status == Demand.Status.CLOSED:
        raise BadInput(_("A closed demand stays where it is."), field="demand")
    community = community_of(demand.area)
    with transaction.atomic():
        group = DemandGroup.objects.create(
            area=community,
            area_path=community.path,
            kind=demand.kind,
            title=demand.text[:200],
            confirmed_by=actor,
            confirmed_at=timezone.now(),
        )
        demand.group = group
        demand.save(update_fields=["group"])
    return group


def merge_groups(*, actor, keep: DemandGroup, other: DemandGroup) -> DemandGroup:
    """Move ``other``'s demands into ``keep`` and close ``other`` (same community)."""
    _manage(actor, keep)
    _manage(actor, other)
    if keep.pk == other.pk:
        raise BadInput(_("A group cannot be merged with itself."), field="other")
    if keep.area_id != other.area_id:
        raise BadInput(_("Only groups of the same community are merged."), field="other")
    with transaction.atomic():
        Demand.objects.filter(group=other).update(group=keep)
        other.status = DemandGroup.Status.CLOSED
        other.save(update_fields=["status"])
    return keep


def close_demand(*, actor, demand: Demand, outcome: str) -> Demand:
    """Close a demand with the outcome its submitter is told (``hooks.on_demand_closed``)."""
    _manage(actor, demand)
    outcome = _text(outcome, OUTCOME_MAX, "outcome", required=True)
    if demand.status == Demand.Status.CLOSED:
        raise BadInput(_("This demand is already closed."), field="demand")
    with transaction.atomic():
        demand.status = Demand.Status.CLOSED
        demand.outcome = outcome
        demand.closed_at = timezone.now()
        demand.save(update_fields=["status", "outcome", "closed_at"])
        hooks.demand_closed(
            hooks.DemandClosed(demand=demand, submitter=demand.submitter, outcome=outcome)
        )
    return demand


def close_delivered(done: hooks.GroupsDelivered) -> int:
    """Close the demands of the delivered groups still open, and the groups
    (``hooks.on_groups_delivered``: a needs-list item delivered, ``done.outcome`` its
    outcome). Inside the delivery's transaction; its publisher checked who may deliver.
    When the publisher told the residents behind them (``done.told``: the list's one
    notice each), the close tells nobody again. Returns the demands closed."""
    outcome = (done.outcome or "").strip()[:OUTCOME_MAX]
    now = timezone.now()
    closed = 0
    with transaction.atomic():
        ids = [g.pk for g in done.groups]
        groups = list(DemandGroup.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        still_open = (
            Demand.objects.select_for_update()
            .filter(group__in=groups)
            .exclude(status=Demand.Status.CLOSED)
            .order_by("pk")
        )
        for demand in still_open:
            demand.status = Demand.Status.CLOSED
            demand.outcome = outcome
            demand.closed_at = now
            demand.save(update_fields=["status", "outcome", "closed_at"])
            hooks.demand_closed(
                hooks.DemandClosed(
                    demand=demand, submitter=demand.submitter, outcome=outcome, told=done.told
                )
            )
            closed += 1
        for group in groups:
            if group.status != DemandGroup.Status.CLOSED:
                group.status = DemandGroup.Status.CLOSED
                group.save(update_fields=["status"])
    return closed
