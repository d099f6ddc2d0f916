"""Writes of the three lists. Every check runs before anything is written (a refusal is
a ``BadInput`` naming the field, ``NotAllowed`` for a move the table does not allow,
``Forbidden``, or ``Conflict`` when someone moved the item first); then one
transaction writes the rows, the item's dated step and publishes the hooks.

The life of an item (``models.TRANSITIONS``, the one table):
published → claimed (``match_resource``: a list project with a resource) → in delivery
→ delivered (with its outcome) → evaluated (the first resident's rating, or staff
closing the evaluation); a claimed item not yet started may be released (its project
goes). ``move_item`` performs every move but the claim.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.core.inputs import text as _text
from shezhi.core.participation import Way, record_participation
from shezhi.demands import hooks as demand_hooks
from shezhi.demands.models import DemandGroup, Kind

from . import hooks, permissions, selectors
from .models import (
    ListProject,
    NeedItem,
    NeedItemStep,
    NeedsList,
    Priority,
    ProviderKind,
    Rating,
    Resource,
    Status,
)
from .search import index_item

TITLE_MAX = 200
TEXT_MAX = 2000
EDITION_MAX = 40
UNIT_MAX = 20
COMMENT_MAX = 500
CAPACITY_MAX = 1_000_000
GROUPS_MAX = 50


def _day(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise BadInput(_("A date, like 2026-05-01."), field=field)
    if not (2000 <= value.year <= 2100):
        raise BadInput(_("A date between 2000 and 2100."), field=field)
    return value


def _whole(value, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise BadInput(_("A whole number."), field=field) from None
    if not (low <= value <= high):
        raise BadInput(
            _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return value


def _manage(actor, obj) -> None:
    if not permissions.can(actor, "manage", obj):
        raise Forbidden(_("Only the area's staff manage its lists."))


def _step(item: NeedItem, frm: str, to: str, actor, note: str = "") -> NeedItemStep:
    return NeedItemStep.objects.create(
        item=item, from_status=frm, to_status=to, actor=actor, note=note
    )


# ----------------------------------------------------------------- needs lists


def create_list(*, actor, area: Area, edition: str, title: str, starts_on, ends_on) -> NeedsList:
    """A needs list of a community or a street for one edition (a draft until published)."""
    if area is None or area.level not in (c.COMMUNITY, c.STREET):
        raise BadInput(_("A needs list belongs to a community or a street."), field="area")
    _manage(actor, area)
    edition = _text(edition, EDITION_MAX, "edition", required=True)
    title = _text(title, TITLE_MAX, "title", required=True)
    starts_on, ends_on = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if ends_on < starts_on:
        raise BadInput(_("The period ends before it starts."), field="ends_on")
    if NeedsList.objects.filter(area=area, edition=edition).exists():
        raise BadInput(_("This area already has a list of this edition."), field="edition")
    try:
        with transaction.atomic():
            return NeedsList.objects.create(
                area=area,
                area_path=area.path,
                edition=edition,
                title=title,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=actor,
            )
    except IntegrityError:
        raise BadInput(
            _("This area already has a list of this edition."), field="edition"
        ) from None


def publish_list(*, actor, needs_list: NeedsList) -> NeedsList:
    """Publish the list: its items show on the public page; each item's publication is
    announced (``hooks.on_item_published``)."""
    _manage(actor, needs_list)
    if needs_list.published:
        raise NotAllowed(_("This list is already published."), field="needs_list")
    with transaction.atomic():
        needs_list.published_at = timezone.now()
        needs_list.save(update_fields=["published_at"])
        for item in needs_list.items.all():
            index_item(item, published=True)
            hooks.item_published(hooks.ItemPublished(item=item, actor=actor))
    return needs_list


def add_item(
    *,
    actor,
    needs_list: NeedsList,
    groups,
    title: str = "",
    description: str = "",
    priority=Priority.MEDIUM,
) -> NeedItem:
    """Curate an item from one or more demand groups of one community of the list's area.

    The groups must be open, read by the actor and not cited by another item of this
    list; the item starts ``published`` (shown once the list is) with the count of the
    distinct residents behind them."""
    _manage(actor, needs_list)
    ids = []
    for g in groups if isinstance(groups, list | tuple | set) else [groups]:
        gid = g.pk if isinstance(g, DemandGroup) else g
        if isinstance(gid, bool) or not isinstance(gid, int):
            raise BadInput(_("Demand groups are given by their ids."), field="groups")
        ids.append(gid)
    if not ids:
        raise BadInput(_("Choose at least one demand group."), field="groups")
    if len(ids) > GROUPS_MAX:
        raise BadInput(_("At most %(n)s groups.") % {"n": GROUPS_MAX}, field="groups")
    found = list(selectors.open_groups(actor, needs_list.area).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise BadInput(
            _("Only the open demand groups of this list's area are curated."), field="groups"
        )
    communities = {g.area_id for g in found}
    if len(communities) != 1:
        raise BadInput(_("An item's groups belong to one community."), field="groups")
    cited = NeedItem.groups.through.objects.filter(
        needitem__needs_list=needs_list, demandgroup_id__in=ids
    )
    if cited.exists():
        raise BadInput(_("A group is already on this list."), field="groups")
    title = _text(title, TITLE_MAX, "title") or found[0].title[:TITLE_MAX]
    description = _text(description, TEXT_MAX, "description")
    priority = _whole(priority, "priority", low=Priority.HIGH, high=Priority.LOW)
    community = found[0].area
    kinds = {g.kind for g in found}
    with transaction.atomic():
        item = NeedItem.objects.create(
            needs_list=needs_list,
            area=community,
            area_path=community.path,
            kind=found[0].kind if len(kinds) == 1 else Kind.OTHER,
            title=title,
            description=description,
            priority=priority,
            residents=selectors.residents_behind(found),
            created_by=actor,
        )
        item.groups.set(found)
        _step(
            item, "", Status.PUBLISHED, actor, _("Curated from %(n)s group(s)") % {"n": len(found)}
        )
        index_item(item, published=needs_list.published)
        if needs_list.published:
            hooks.item_published(hooks.ItemPublished(item=item, actor=actor))
    return item


def _locked(item: NeedItem, version) -> NeedItem:
    fresh = NeedItem.objects.select_for_update().get(pk=item.pk)
    if version is not None and fresh.version != version:
        raise Conflict(_("Someone moved this item first: reload and try again."), field="version")
    return fresh


def _move(item: NeedItem, to: str, actor, note: str) -> None:
    frm = item.status
    item.status = to
    item.version += 1
    item.residents = selectors.residents_behind(item)
    item.save(update_fields=["status", "version", "residents", "updated_at"])
    _step(item, frm, to, actor, note)
    hooks.item_changed(
        hooks.ItemChanged(item=item, from_status=frm, to_status=to, actor=actor, note=note)
    )


def move_item(
    *, actor, item: NeedItem, to: str, note: str = "", outcome: str = "", version=None
) -> NeedItem:
    """Move an item along ``TRANSITIONS`` (every move but the claim: ``match_resource``).

    ``delivered`` needs the outcome (told to the residents behind it, written on the
    project); ``published`` from ``claimed`` releases the item (its project goes)."""
    _manage(actor, item)
    if not isinstance(to, str) or to not in Status.values:
        raise BadInput(_("Unknown status."), field="to")
    note = _text(note, TEXT_MAX, "note")
    outcome = _text(outcome, TEXT_MAX, "outcome", required=to == Status.DELIVERED)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise BadInput(_("A whole number."), field="version")
    if not item.needs_list.published:
        raise NotAllowed(_("Publish the list first."), field="needs_list")
    if not item.can_move_to(to):
        raise NotAllowed(
            _("An item %(frm)s cannot become %(to)s.")
            % {"frm": Status(item.status).label, "to": Status(to).label},
            field="to",
        )
    if to == Status.CLAIMED:
        raise NotAllowed(_("An item is claimed by matching it to a resource."), field="to")
    with transaction.atomic():
        fresh = _locked(item, version)
        if not fresh.can_move_to(to):
            raise Conflict(_("Someone moved this item first: reload and try again."), field="to")
        project = ListProject.objects.filter(item=fresh).first()
        if to == Status.PUBLISHED and project is not None:
            project.delete()
        elif to == Status.IN_DELIVERY:
            project.started_at = timezone.now()
            project.save(update_fields=["started_at"])
        elif to == Status.DELIVERED:
            project.outcome = outcome
            project.delivered_at = timezone.now()
            project.save(update_fields=["outcome", "delivered_at"])
        _move(fresh, to, actor, outcome or note)
        if to == Status.DELIVERED:
            hooks.project_delivered(hooks.ProjectDelivered(project=project, actor=actor))
            # Its demands close: a step published in demands' hooks (lists sit above
            # demands). The residents were told by the move's notice just above; that
            # one is theirs (told=True), the demands add none.
            demand_hooks.groups_delivered(
                demand_hooks.GroupsDelivered(groups=list(fresh.groups.all()), outcome=outcome)
            )
    item.refresh_from_db()
    return item


def match_resource(
    *,
    actor,
    item: NeedItem,
    resource: Resource,
    plan: str,
    starts_on,
    ends_on,
    owner=None,
    capacity_used=1,
    version=None,
) -> ListProject:
    """Claim ``item`` with ``resource``: a list project (owner, plan, dates), the item
    ``claimed``. The resource must be active, serve the item's community and have the
    capacity left; ``owner`` defaults to the actor (the staff who answer for it)."""
    _manage(actor, item)
    if resource is None or not isinstance(resource, Resource):
        raise BadInput(_("Choose a resource."), field="resource")
    plan = _text(plan, TEXT_MAX, "plan", required=True)
    starts_on, ends_on = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if ends_on < starts_on:
        raise BadInput(_("The project ends before it starts."), field="ends_on")
    capacity_used = _whole(capacity_used, "capacity_used", low=1, high=CAPACITY_MAX)
    owner = owner or actor
    if not permissions.can(owner, "view", item):
        raise BadInput(_("The owner must work in the item's area."), field="owner")
    if not resource.active:
        raise BadInput(_("This resource is no longer offered."), field="resource")
    if resource.area_path not in Area.lineage(item.area_path):
        raise BadInput(_("This resource does not serve the item's community."), field="resource")
    if not item.needs_list.published:
        raise NotAllowed(_("Publish the list first."), field="needs_list")
    if not item.can_move_to(Status.CLAIMED):
        raise NotAllowed(
            _("Only a published item is matched; this one is %(s)s.")
            % {"s": Status(item.status).label},
            field="item",
        )
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if selectors.capacity_left(locked) < capacity_used:
            raise BadInput(
                _("The resource has only %(n)s %(unit)s left.")
                % {"n": selectors.capacity_left(locked), "unit": locked.capacity_unit},
                field="capacity_used",
            )
        fresh = _locked(item, version)
        if not fresh.can_move_to(Status.CLAIMED):
            raise Conflict(_("Someone moved this item first: reload and try again."), field="item")
        project = ListProject.objects.create(
            item=fresh,
            resource=locked,
            capacity_used=capacity_used,
            owner=owner,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        _move(
            fresh,
            Status.CLAIMED,
            actor,
            _("Matched to %(r)s") % {"r": f"{locked.provider_name}: {locked.title}"},
        )
    item.refresh_from_db()
    return project


# ----------------------------------------------------------------- resources


def register_resource(
    *,
    actor,
    area: Area,
    provider_kind: str,
    provider_name: str,
    offer_kind: str,
    title: str,
    capacity,
    capacity_unit: str,
    description: str = "",
    provider=None,
) -> Resource:
    """Put a provider's offer on the resource list of ``area`` (served: its subtree).
    ``provider``: the provider's own row when the platform has one (any model)."""
    if area is None:
        raise BadInput(_("Choose the area served."), field="area")
    _manage(actor, area)
    if provider_kind not in ProviderKind.values:
        raise BadInput(_("Unknown provider kind."), field="provider_kind")
    if offer_kind not in Kind.values:
        raise BadInput(_("Unknown kind %(k)s.") % {"k": offer_kind}, field="offer_kind")
    provider_name = _text(provider_name, TITLE_MAX, "provider_name", required=True)
    title = _text(title, TITLE_MAX, "title", required=True)
    description = _text(description, TEXT_MAX, "description")
    capacity = _whole(capacity, "capacity", low=1, high=CAPACITY_MAX)
    capacity_unit = _text(capacity_unit, UNIT_MAX, "capacity_unit", required=True)
    with transaction.atomic():
        return Resource.objects.create(
            area=area,
            area_path=area.path,
            provider_kind=provider_kind,
            provider_name=provider_name,
            provider_type=ContentType.objects.get_for_model(provider) if provider else None,
            provider_id=provider.pk if provider else None,
            offer_kind=offer_kind,
            title=title,
            description=description,
            capacity=capacity,
            capacity_unit=capacity_unit,
            created_by=actor,
        )


def set_resource_active(*, actor, resource: Resource, active: bool) -> Resource:
    _manage(actor, resource)
    if not isinstance(active, bool):
        raise BadInput(_("Yes or no."), field="active")
    resource.active = active
    resource.save(update_fields=["active"])
    return resource


# ----------------------------------------------------------------- ratings


def rate_item(*, actor, item: NeedItem, score, comment: str = "") -> Rating:
    """A resident behind a delivered item rates it, once (1–5). The first rating moves
    the item to ``evaluated``. The rater took part in the item's project
    (``core.participation``, way ``project``, once per project)."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Sign in to rate."))
    score = _whole(score, "score", low=1, high=5)
    comment = _text(comment, COMMENT_MAX, "comment")
    if item.status not in (Status.DELIVERED, Status.EVALUATED):
        raise NotAllowed(_("An item is rated once it is delivered."), field="item")
    if not selectors.is_behind(actor, item):
        raise Forbidden(_("Only the residents behind this item rate it."))
    if Rating.objects.filter(item=item, user=actor).exists():
        raise BadInput(_("You have already rated this item."), field="score")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(item=item, user=actor, score=score, comment=comment)
            # Rating the project delivered for them is taking part in it (issue 16 §6).
            record_participation(
                way=Way.PROJECT,
                area=item.area_path,
                at=rating.created_at,
                source=ListProject.objects.filter(item=item).first() or item,
                user=actor,
            )
            fresh = NeedItem.objects.select_for_update().get(pk=item.pk)
            if fresh.status == Status.DELIVERED:
                _move(fresh, Status.EVALUATED, actor, _("Rated by the residents behind it"))
    except IntegrityError:
        raise BadInput(_("You have already rated this item."), field="score") from None
    item.refresh_from_db()
    return rating
