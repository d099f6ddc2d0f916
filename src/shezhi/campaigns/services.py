"""Writes of campaigns: every check runs before anything is written (a refusal is a
``BadInput`` naming the field, or ``Forbidden``), then one transaction writes the rows
and publishes the hooks (the demands an answer or a stop makes commit or roll back
with it).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.cases.models import Case
from shezhi.core import inputs
from shezhi.core.errors import BadInput, Forbidden
from shezhi.core.lists.ranges import subtree_q
from shezhi.core.notices import Notice, publish_notices
from shezhi.core.participation import Way, record_participation
from shezhi.households import selectors as household_selectors
from shezhi.notifications.models import Notification

from . import hooks, permissions
from .models import (
    STAGE_ORDER,
    Broadcast,
    BroadcastAnswer,
    Campaign,
    Package,
    Result,
    Round,
    RoundStop,
    RoundVisit,
    Stage,
    StageMove,
    TakeUp,
)

NAME_MAX = 100
TEXT_MAX = 1000
CAMPAIGN_LEVELS = (c.DISTRICT, c.STREET, c.COMMUNITY)
DEMAND_KINDS = (
    "elderly_care",
    "childcare",
    "parking",
    "greenery",
    "culture_sports",
    "convenience",
    "safety",
    "other",
)


def _text(value, limit: int, field: str, *, required: bool = True) -> str:
    """``core.inputs.text``, required unless told (a campaign's texts mostly are)."""
    return inputs.text(value, limit, field, required=required)


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise BadInput(_("A date is required."), field=field)
    return value


def _manage(actor, obj, message=None) -> None:
    if not permissions.can(actor, "manage", obj):
        raise Forbidden(message or _("Only the area's staff run its campaigns."))


def _inside(area, campaign: Campaign, field: str = "area") -> Area:
    if not isinstance(area, Area):
        raise BadInput(_("Choose an area."), field=field)
    if not area.path.startswith(campaign.area_path):
        raise BadInput(_("The area must lie inside the campaign's area."), field=field)
    return area


# ---------------------------------------------------------------------------
# Campaigns and their stages


def create_campaign(
    *,
    actor,
    name: str,
    area: Area,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str = "",
    organisers=(),
    organiser_people=(),
) -> Campaign:
    """A campaign over a district, a street or a community, starting at 挖掘需求."""
    name = _text(name, NAME_MAX, "name")
    summary = _text(summary, TEXT_MAX, "summary", required=False)
    if not isinstance(area, Area) or area.level not in CAMPAIGN_LEVELS:
        raise BadInput(_("A campaign runs over a district, a street or a community."), field="area")
    starts_on, ends_on = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    if ends_on < starts_on:
        raise BadInput(_("The end comes on or after the start."), field="ends_on")
    _manage(actor, area)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            area=area,
            area_path=area.path,
            starts_on=starts_on,
            ends_on=ends_on,
            summary=summary,
            created_by=actor,
        )
        campaign.organisers.set([actor, *organisers])
        if organiser_people:
            campaign.organiser_people.set(organiser_people)
        StageMove.objects.create(
            campaign=campaign, stage=Stage.COLLECT, at=timezone.now(), by=actor
        )
    return campaign


def move_stage(*, actor, campaign: Campaign, stage: str, note: str = "") -> Campaign:
    """Move the campaign to the next stage of the loop (or back to an earlier one, with
    a note saying why); never skip a stage."""
    if stage not in STAGE_ORDER:
        raise BadInput(_("Unknown stage %(s)s.") % {"s": stage}, field="stage")
    note = _text(note, 200, "note", required=False)
    _manage(actor, campaign)
    here, there = STAGE_ORDER.index(campaign.stage), STAGE_ORDER.index(stage)
    if there == here:
        raise BadInput(_("The campaign is at this stage already."), field="stage")
    if there > here + 1:
        raise BadInput(_("Stages are taken one at a time."), field="stage")
    if there < here and not note:
        raise BadInput(_("Say why the campaign goes back."), field="note")
    with transaction.atomic():
        campaign.stage = stage
        campaign.save(update_fields=["stage"])
        StageMove.objects.create(
            campaign=campaign, stage=stage, at=timezone.now(), by=actor, note=note
        )
    return campaign


# ---------------------------------------------------------------------------
# 小红帽 rounds


def open_round(
    *, actor, campaign: Campaign, title: str, area: Area, day: dt.date, workers
) -> Round:
    title = _text(title, NAME_MAX, "title")
    _inside(area, campaign)
    day = _date(day, "day")
    workers = list(workers or [])
    if not workers:
        raise BadInput(_("Name at least one worker or volunteer."), field="workers")
    _manage(actor, campaign)
    with transaction.atomic():
        r = Round.objects.create(
            campaign=campaign, title=title, area=area, area_path=area.path, day=day
        )
        r.workers.set(workers)
    return r


def link_visit(done) -> RoundVisit | None:
    """``visits.hooks.on_visit_recorded``: a visit its worker made on a round of theirs
    (open, the day of the visit, covering the household) joins that round."""
    visit = done.visit
    day = timezone.localdate(visit.at)
    rounds = Round.objects.filter(status=Round.Status.OPEN, workers=done.worker, day=day).order_by(
        "-id"
    )
    for r in rounds:
        if visit.area_path.startswith(r.area_path):
            return RoundVisit.objects.get_or_create(visit=visit, defaults={"round": r})[0]
    return None


def record_stop(
    *, actor, round: Round, address: str, wish: str = "", kind: str = "other", area=None
) -> RoundStop:
    """A door knocked at a street address (no household on record); a wish heard there
    becomes a demand collected by the worker (``hooks.on_round_wish``)."""
    address = _text(address, 200, "address")
    wish = _text(wish, TEXT_MAX, "wish", required=False)
    if kind not in DEMAND_KINDS:
        raise BadInput(_("Unknown kind %(k)s.") % {"k": kind}, field="kind")
    area = round.area if area is None else area
    if not isinstance(area, Area) or not area.path.startswith(round.area_path):
        raise BadInput(_("The area must lie inside the round's area."), field="area")
    if round.status != Round.Status.OPEN:
        raise BadInput(_("This round is closed."), field="round")
    if not permissions.can(actor, "work", area):
        raise Forbidden(_("Only those who work this area go on its rounds."))
    with transaction.atomic():
        stop = RoundStop.objects.create(
            round=round,
            worker=actor,
            area=area,
            area_path=area.path,
            address=address,
            wish=wish,
            kind=kind,
        )
        if wish:
            hooks.round_wish(hooks.RoundWish(stop=stop, campaign=round.campaign, worker=actor))
    return stop


def close_round(*, actor, round: Round) -> Round:
    _manage(actor, round.campaign)
    round.status = Round.Status.CLOSED
    round.save(update_fields=["status"])
    return round


# ---------------------------------------------------------------------------
# 小广播 broadcasts


def send_broadcast(
    *,
    actor,
    campaign: Campaign,
    area: Area,
    title: str,
    body: str,
    question: str,
    kind: str = "other",
    tag: str = "",
) -> Broadcast:
    """Notify the residents bound to households of ``area`` (with ``tag``, a plain tag)
    in the in-app centre; ``reach`` is how many were addressed."""
    title = _text(title, NAME_MAX, "title")
    body = _text(body, TEXT_MAX, "body")
    question = _text(question, 200, "question")
    _inside(area, campaign)
    if kind not in DEMAND_KINDS:
        raise BadInput(_("Unknown kind %(k)s.") % {"k": kind}, field="kind")
    tag = _text(tag, 40, "tag", required=False)
    if tag and not household_selectors.is_plain_tag(tag):
        raise BadInput(_("Choose a tag residents may be addressed by."), field="tag")
    _manage(actor, campaign)
    recipients = set(household_selectors.bound_users_in(area, tag=tag))
    with transaction.atomic():
        b = Broadcast.objects.create(
            campaign=campaign,
            area=area,
            area_path=area.path,
            tag=tag,
            title=title,
            body=body,
            question=question,
            kind=kind,
            reach=len(recipients),
            sent_by=actor,
            sent_at=timezone.now(),
        )
        if recipients:
            publish_notices(
                [
                    Notice(
                        recipients=frozenset(recipients),
                        kind="campaign_broadcast",
                        title=title,
                        body=f"{body}\n{question}",
                        subject_model=Broadcast,
                        subject_id=b.pk,
                    )
                ]
            )
    return b


def addressed(user, broadcast: Broadcast) -> bool:
    """Was ``broadcast`` sent to ``user`` (they hold its notification)?"""
    return (
        user is not None
        and user.is_authenticated
        and Notification.objects.about(broadcast).filter(user=user).exists()
    )


def answer_broadcast(*, actor, broadcast: Broadcast, text: str, anonymous: bool = False):
    """A resident's answer to the question, once; it becomes a demand (source=campaign,
    ``hooks.on_broadcast_answered``) placed at their household's micro-grid, and the
    resident took part (``core.participation``, way ``broadcast_answer``)."""
    text = _text(text, TEXT_MAX, "text")
    if not isinstance(anonymous, bool):
        raise BadInput(_("Yes or no."), field="anonymous")
    if not addressed(actor, broadcast):
        raise Forbidden(_("This broadcast was not sent to you."))
    if BroadcastAnswer.objects.filter(broadcast=broadcast, user=actor).exists():
        raise BadInput(_("You have answered this broadcast already."), field="text")
    me = household_selectors.bound_resident(actor)
    household = me.household if me is not None else None
    area = household.micro_grid if household is not None else broadcast.area
    now = timezone.now()
    try:
        with transaction.atomic():
            answer = BroadcastAnswer.objects.create(
                broadcast=broadcast, user=actor, text=text, anonymous=anonymous, at=now
            )
            hooks.broadcast_answered(
                hooks.BroadcastAnswered(
                    answer=answer, campaign=broadcast.campaign, area=area, household=household
                )
            )
            Notification.objects.about(broadcast).filter(user=actor, read_at=None).update(
                read_at=now
            )
            # Answering a broadcast is taking part (issue 16 §6), once per answer.
            record_participation(
                way=Way.BROADCAST_ANSWER, area=area, at=now, source=answer, user=actor,
                resident=me, anonymous=anonymous,
            )  # fmt: skip
    except IntegrityError:  # two taps at once: the first answer stands
        raise BadInput(_("You have answered this broadcast already."), field="text") from None
    return answer


# ---------------------------------------------------------------------------
# 安居包 packages


def create_package(*, actor, campaign: Campaign, name: str, contents: str, area: Area) -> Package:
    name = _text(name, NAME_MAX, "name")
    contents = _text(contents, TEXT_MAX, "contents")
    _inside(area, campaign)
    _manage(actor, campaign)
    return Package.objects.create(
        campaign=campaign, name=name, contents=contents, area=area, area_path=area.path
    )


def record_take_up(*, actor, package: Package, household, answer: str, reason: str = "") -> TakeUp:
    """A household's answer to the package, once (taken, or refused with an optional
    reason); a second answer for the same household is refused."""
    if answer not in TakeUp.Answer.values:
        raise BadInput(_("Taken or refused."), field="answer")
    reason = _text(reason, 200, "reason", required=False)
    if household is None or not household.area_path.startswith(package.area_path):
        raise BadInput(_("The household must lie inside the package's area."), field="household")
    if not permissions.can(actor, "work", household.micro_grid):
        raise Forbidden(_("Only those who work this area record take-up."))
    if TakeUp.objects.filter(package=package, household=household).exists():
        raise BadInput(_("This household has answered already."), field="household")
    try:
        with transaction.atomic():
            return TakeUp.objects.create(
                package=package,
                household=household,
                answer=answer,
                reason=reason,
                recorded_by=actor,
                at=timezone.now(),
            )
    except IntegrityError:
        raise BadInput(_("This household has answered already."), field="household") from None


# ---------------------------------------------------------------------------
# Results (成果)


def _figures(figures) -> list[dict]:
    if figures is None:
        return []
    if not isinstance(figures, list) or len(figures) > 12:
        raise BadInput(_("At most 12 figures."), field="figures")
    out = []
    for f in figures:
        if not isinstance(f, dict):
            raise BadInput(_("A figure is a label and a whole number."), field="figures")
        label, value = f.get("label"), f.get("value")
        if not isinstance(label, str) or not label.strip() or len(label) > 40:
            raise BadInput(_("A figure is a label and a whole number."), field="figures")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BadInput(_("A figure is a label and a whole number."), field="figures")
        out.append({"label": label.strip(), "value": value})
    return out


def add_result(
    *,
    actor,
    campaign: Campaign,
    title: str,
    summary: str,
    figures=None,
    publish: bool = False,
    cases=(),
) -> Result:
    """A result of the campaign; ``cases``: ids of published cases of its area (a case
    elsewhere, or not published, is refused naming ``cases``)."""
    title = _text(title, NAME_MAX, "title")
    summary = _text(summary, 2000, "summary")
    figures = _figures(figures)
    _manage(actor, campaign)
    ids = [getattr(x, "pk", x) for x in cases or ()]
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids) or len(ids) > 20:
        raise BadInput(_("Up to 20 cases, given by their ids."), field="cases")
    found = list(case_choices(campaign).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise BadInput(
            _("Only the published cases of the campaign's area can be linked."), field="cases"
        )
    with transaction.atomic():
        result = Result.objects.create(
            campaign=campaign,
            title=title,
            summary=summary,
            figures=figures,
            published_at=timezone.now() if publish else None,
        )
        result.cases.set(found)
    return result


def case_choices(campaign: Campaign):
    """The cases a result of the campaign may cite: published, in its area's subtree."""
    return Case.objects.filter(
        subtree_q("area_path", campaign.area_path), status=Case.Status.PUBLISHED
    ).order_by("-published_at", "-id")


def publish_result(*, actor, result: Result) -> Result:
    _manage(actor, result.campaign)
    if result.published_at is not None:
        raise BadInput(_("This result is published already."), field="result")
    result.published_at = timezone.now()
    result.save(update_fields=["published_at"])
    return result
