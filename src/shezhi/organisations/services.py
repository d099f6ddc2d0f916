"""Writes of the organisations registry: register, memberships, stage moves, support,
activities held and demand groups taken on. Keyword-only; every check runs before
anything is written (a refusal is a ``BadInput`` naming the field, or ``Forbidden``);
then one transaction writes the rows (the audit log records who changed what).

A member joining is a resident (or person) taking part: ``record_participation`` with
the way "organisation", in the same transaction (``core.participation``).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.inputs import text as _text

from . import participation_link, permissions
from .models import (
    ORDER,
    TRANSITIONS,
    ActivityHeld,
    DemandTaken,
    Kind,
    Member,
    Organisation,
    Stage,
    StageMove,
    Support,
)

NAME_MAX = 100
DESCRIPTION_MAX = 2000
REASON_MAX = 300
NOTE_MAX = 200
# The largest single grant recorded (100 million yuan, in fen): a typo guard.
AMOUNT_MAX_FEN = 10_000_000_000
ORG_LEVELS = (c.COMMUNITY, c.GENERAL_GRID, c.MICRO_GRID)


def _day(value, field: str, *, default_today: bool = True) -> dt.date:
    if value is None or value == "":
        if default_today:
            return timezone.localdate()
        raise BadInput(_("This field is required."), field=field)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise BadInput(_("A date as YYYY-MM-DD."), field=field) from None
    if not isinstance(value, dt.date):
        raise BadInput(_("A date as YYYY-MM-DD."), field=field)
    if value > timezone.localdate():
        raise BadInput(_("This date is in the future."), field=field)
    if value.year < 1949:
        raise BadInput(_("This date is too early."), field=field)
    return value


def community_path(area: Area) -> str:
    """The path of the community the area lies in (its own at the community)."""
    depth = c.LEVEL_INDEX[c.COMMUNITY] + 1
    return area.path[: depth * Area.steplen]


def _manage(actor, obj) -> None:
    if not permissions.can(actor, "manage", obj):
        raise Forbidden(_("Only the area's staff manage its organisations."))


def register_organisation(
    *,
    actor,
    kind: str,
    name: str,
    area: Area,
    compound=None,
    description: str = "",
    founded_on=None,
    stage: str = Stage.SPROUT,
    reason: str = "",
) -> Organisation:
    """Register an organisation in a community (or a grid or micro-grid of it), at
    ``stage`` (an organisation found already grown is registered where it stands, with
    the reason); the first ``StageMove`` row records it."""
    if kind not in Kind.values:
        raise BadInput(_("Unknown kind %(k)s.") % {"k": kind}, field="kind")
    name = _text(name, NAME_MAX, "name", required=True)
    description = _text(description, DESCRIPTION_MAX, "description")
    reason = _text(reason, REASON_MAX, "reason")
    founded_on = _day(founded_on, "founded_on")
    if stage not in Stage.values:
        raise BadInput(_("Unknown stage %(s)s.") % {"s": stage}, field="stage")
    if area is None or area.level not in ORG_LEVELS:
        raise BadInput(_("A community, or a grid or micro-grid of one."), field="area")
    _manage(actor, area)
    if compound is not None and compound.area_path != community_path(area):
        raise BadInput(_("The compound is not in this community."), field="compound")
    if Organisation.objects.filter(area=area, name=name).exists():
        raise BadInput(_("An organisation of this name is already registered here."), field="name")
    with transaction.atomic():
        org = Organisation.objects.create(
            kind=kind,
            name=name,
            area=area,
            area_path=area.path,
            compound=compound,
            description=description,
            stage=stage,
            stage_since=founded_on,
            founded_on=founded_on,
            created_by=actor,
        )
        StageMove.objects.create(
            organisation=org,
            from_stage="",
            to_stage=stage,
            on=founded_on,
            reason=reason,
            area_path=org.area_path,
            moved_by=actor,
        )
    return org


def move_stage(
    *, actor, organisation: Organisation, to_stage: str, on=None, reason: str = ""
) -> StageMove:
    """Move the organisation's incubation stage by the transition table (``TRANSITIONS``):
    forward one stage at a time, back any number with a reason; never to where it is."""
    _manage(actor, organisation)
    if to_stage not in Stage.values:
        raise BadInput(_("Unknown stage %(s)s.") % {"s": to_stage}, field="stage")
    reason = _text(reason, REASON_MAX, "reason")
    on = _day(on, "on")
    current = organisation.stage
    if to_stage == current:
        raise BadInput(_("The organisation is already at this stage."), field="stage")
    needs_reason = TRANSITIONS.get((current, to_stage))
    if needs_reason is None:
        raise BadInput(
            _("A stage is not skipped: the next stage is %(s)s.")
            % {"s": Stage(ORDER[ORDER.index(current) + 1]).label},
            field="stage",
        )
    if needs_reason and not reason:
        raise BadInput(_("Say why the organisation goes back a stage."), field="reason")
    if on < organisation.stage_since:
        raise BadInput(_("Before the organisation's last move."), field="on")
    with transaction.atomic():
        updated = Organisation.objects.filter(pk=organisation.pk, stage=current).update(
            stage=to_stage, stage_since=on
        )
        if not updated:
            raise BadInput(_("Someone moved this organisation meanwhile; reload."), field="stage")
        move = StageMove.objects.create(
            organisation=organisation,
            from_stage=current,
            to_stage=to_stage,
            on=on,
            reason=reason,
            area_path=organisation.area_path,
            moved_by=actor,
        )
    organisation.stage, organisation.stage_since = to_stage, on
    return move


def add_member(
    *,
    actor,
    organisation: Organisation,
    resident=None,
    person=None,
    role: str = Member.Role.MEMBER,
    joined_on=None,
) -> Member:
    """A resident (of the household base) or a person (of the workforce) joins. A new
    leader takes over: the current leader stays on as a member. Joining is recorded as
    taking part (way "organisation")."""
    _manage(actor, organisation)
    if (resident is None) == (person is None):
        raise BadInput(_("Name a resident or a person, one of the two."), field="resident")
    if role not in Member.Role.values:
        raise BadInput(_("Unknown role %(r)s.") % {"r": role}, field="role")
    joined_on = _day(joined_on, "joined_on")
    if resident is not None:
        if not permissions.can(actor, "manage", resident.household.micro_grid):
            raise BadInput(_("No such resident in your areas."), field="resident")
        same = Member.objects.filter(organisation=organisation, resident=resident)
    else:
        if not person.active or not permissions.can(actor, "manage", person.area):
            raise BadInput(_("No such person in your areas."), field="person")
        same = Member.objects.filter(organisation=organisation, person=person)
    if same.filter(left_on__isnull=True).exists():
        field = "resident" if resident is not None else "person"
        raise BadInput(_("Already a member."), field=field)
    try:
        with transaction.atomic():
            if role == Member.Role.LEADER:
                Member.objects.filter(
                    organisation=organisation, left_on__isnull=True, role=Member.Role.LEADER
                ).update(role=Member.Role.MEMBER)
            member = Member.objects.create(
                organisation=organisation,
                resident=resident,
                person=person,
                role=role,
                joined_on=joined_on,
            )
            participation_link.joined(member)
    except IntegrityError:
        raise BadInput(_("Already a member."), field="resident") from None
    return member


def end_membership(*, actor, member: Member, left_on=None) -> Member:
    """The member leaves (a leader leaving leaves the organisation without one)."""
    _manage(actor, member.organisation)
    if member.left_on is not None:
        raise BadInput(_("This member has already left."), field="member")
    left_on = _day(left_on, "left_on")
    if left_on < member.joined_on:
        raise BadInput(_("Before the member joined."), field="left_on")
    with transaction.atomic():
        member.left_on = left_on
        member.save(update_fields=["left_on"])
    return member


def record_support(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    on=None,
    post=None,
    amount_fen=0,
    note: str = "",
) -> Support:
    """Support received: space at a service post (``post``), money (``amount_fen``,
    integer fen), training or mentoring (``note`` says what)."""
    _manage(actor, organisation)
    if kind not in Support.Kind.values:
        raise BadInput(_("Unknown kind of support %(k)s.") % {"k": kind}, field="kind")
    on = _day(on, "on")
    note = _text(note, NOTE_MAX, "note")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise BadInput(_("A whole number of fen."), field="amount_fen")
    if kind == Support.Kind.MONEY:
        if not 0 < amount_fen <= AMOUNT_MAX_FEN:
            raise BadInput(_("A positive amount in fen."), field="amount_fen")
    elif amount_fen:
        raise BadInput(_("Only money has an amount."), field="amount_fen")
    if kind == Support.Kind.SPACE:
        if post is None:
            raise BadInput(_("Space is at a service post: name it."), field="post")
        if not post.area_path.startswith(community_path(organisation.area)):
            raise BadInput(_("The post is not in the organisation's community."), field="post")
    elif post is not None:
        raise BadInput(_("Only space is given at a post."), field="post")
    if kind in (Support.Kind.TRAINING, Support.Kind.MENTORING) and not note:
        raise BadInput(_("Say what training or mentoring it was."), field="note")
    with transaction.atomic():
        return Support.objects.create(
            organisation=organisation,
            kind=kind,
            on=on,
            post=post,
            amount_fen=amount_fen,
            note=note,
            given_by=actor,
        )


def link_activity(*, actor, organisation: Organisation, activity) -> ActivityHeld:
    """The organisation held this volunteer activity (one in its community)."""
    _manage(actor, organisation)
    if not activity.area_path.startswith(community_path(organisation.area)):
        raise BadInput(_("The activity is not in the organisation's community."), field="activity")
    if ActivityHeld.objects.filter(organisation=organisation, activity=activity).exists():
        raise BadInput(_("Already linked."), field="activity")
    with transaction.atomic():
        return ActivityHeld.objects.create(organisation=organisation, activity=activity)


def take_on_demand(*, actor, organisation: Organisation, group, on=None) -> DemandTaken:
    """The organisation takes on a demand group of its community."""
    _manage(actor, organisation)
    on = _day(on, "on")
    if group.area_path != community_path(organisation.area):
        raise BadInput(_("The demand group is not of the organisation's community."), field="group")
    if DemandTaken.objects.filter(organisation=organisation, group=group).exists():
        raise BadInput(_("Already taken on."), field="group")
    with transaction.atomic():
        return DemandTaken.objects.create(organisation=organisation, group=group, taken_on=on)
