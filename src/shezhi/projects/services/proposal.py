"""A project's way to crowdfunding: proposal, backing (附议), review (approval
reserves the match from the community's fund)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden, NotAllowed

from .. import ledger, permissions
from ..models import (
    Backing,
    BudgetLine,
    CommunityFund,
    Project,
)
from ._common import (
    AMOUNT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Kind,
    Stage,
    T,
    _community,
    _district,
    _fen,
    _now,
    _save,
    _text,
    _took_part,
    rules_for,
    yuan,
)

# ---------------------------------------------------------------------------
# Proposal, backing, review


@dataclass(frozen=True)
class Line:
    kind: str
    description: str
    amount: int


def propose(
    *,
    actor,
    area: Area,
    title: str,
    problem: str,
    plan: str,
    budget: list,
    deadline: datetime,
    allow_overfunding: bool = False,
    organisation: str = "",
    at: datetime | None = None,
) -> Project:
    """A resident's proposal: its target is the sum of its budget lines (in fen)."""
    now = _now(at)
    title = _text(title, TITLE_MAX, "title")
    problem = _text(problem, TEXT_MAX, "problem")
    plan = _text(plan, TEXT_MAX, "plan")
    organisation = _text(organisation, 100, "organisation", required=False)
    if not isinstance(allow_overfunding, bool):
        raise BadInput(_("Yes or no."), field="allow_overfunding")
    if not isinstance(deadline, datetime) or deadline <= now:
        raise BadInput(_("The deadline must be a time in the future."), field="deadline")
    if not isinstance(budget, list | tuple) or not budget or len(budget) > 50:
        raise BadInput(_("Give one to fifty budget lines."), field="budget")
    lines = []
    for i, raw in enumerate(budget):
        raw = raw if isinstance(raw, dict) else getattr(raw, "__dict__", {})
        kind = raw.get("kind")
        if kind not in BudgetLine.Kind.values:
            raise BadInput(_("Unknown kind of budget line."), field=f"budget.{i}.kind")
        lines.append(
            Line(
                kind,
                _text(raw.get("description"), 200, f"budget.{i}.description"),
                _fen(raw.get("amount"), f"budget.{i}.amount"),
            )
        )
    target = sum(line.amount for line in lines)
    if target > AMOUNT_MAX:
        raise BadInput(_("The amount is too large."), field="budget")
    community = _community(area)
    if not permissions.can(actor, "propose", area):
        raise Forbidden(_("Only residents of the community propose its projects."))
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.create(
            title=title,
            area=area,
            area_path=area.path,
            community=community,
            district=_district(area),
            initiator=actor,
            organisation=organisation,
            problem=problem,
            plan=plan,
            target=target,
            deadline=deadline,
            allow_overfunding=allow_overfunding,
            created_at=now,
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, kind=li.kind, description=li.description, amount=li.amount)
            for li in lines
        )
        _took_part(project, actor, now)
    return project


def back(*, actor, project: Project, at: datetime | None = None) -> bool:
    """附议: once per resident; returns False when they had backed it already. Reaching
    the district's threshold sends the project to review."""
    if not permissions.can(actor, "back", project):
        raise Forbidden(_("Only residents of the community back its projects."))
    threshold = rules_for(project.district).backing_threshold
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.stage != Stage.BACKING:
            raise NotAllowed(_("This project is not collecting backings."))
        try:
            with transaction.atomic():
                Backing.objects.create(project=project, resident=actor, at=_now(at))
        except IntegrityError:
            return False
        _took_part(project, actor, _now(at))
        project.backings += 1
        fields = ["backings"]
        if project.backings >= threshold:
            project.stage = Stage.REVIEW
            fields.append("stage")
        _save(project, *fields)
    return True


def resubmit(*, actor, project: Project) -> Project:
    """The initiator sends a returned project back to review."""
    if project.initiator_id != actor.pk:
        raise Forbidden(_("Only the initiator resubmits the project."))
    if project.stage != Stage.RETURNED:
        raise NotAllowed(_("Only a returned project is resubmitted."))
    with transaction.atomic(), set_actor(actor):
        project.stage = Stage.REVIEW
        _save(project, "stage")
    return project


def review(
    *, actor, project: Project, decision: str, reason: str = "", at: datetime | None = None
) -> Project:
    """Approve (fixes the match under the district's rules and reserves it from the
    community's fund), return with reasons, or refuse with reasons."""
    if decision not in ("approve", "return", "refuse"):
        raise BadInput(_("Approve, return or refuse."), field="decision")
    reason = _text(reason, TEXT_MAX, "reason", required=decision != "approve")
    if not permissions.can(actor, "review", project):
        raise Forbidden(_("Only the community's staff review its projects."))
    now = _now(at)
    with transaction.atomic(), set_actor(actor):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.stage != Stage.REVIEW:
            raise NotAllowed(_("This project is not waiting for review."))
        project.review_reason, project.reviewed_by, project.reviewed_at = reason, actor, now
        if decision == "return":
            project.stage = Stage.RETURNED
        elif decision == "refuse":
            project.stage = Stage.REFUSED
        else:
            _approve(project, actor, now)
        project.save()
    return project


def _approve(project: Project, actor, now: datetime) -> None:
    fund = CommunityFund.objects.filter(community_id=project.community_id).first()
    if fund is None:
        raise BadInput(_("The community has no fund for matching yet."), field="fund")
    rules = rules_for(project.district)
    project.match_ratio_bp = rules.match_ratio_bp
    project.match_cap = min(rules.match_cap, project.target)
    project.funding_cap = (
        project.target * (100 + rules.overfunding_pct) // 100
        if project.allow_overfunding
        else project.target
    )
    held = ledger.lock(fund.account_id)[fund.account_id]
    if held < project.match_cap:
        raise BadInput(
            _("The fund holds %(held)s; this project's match needs %(cap)s.")
            % {"held": yuan(held), "cap": yuan(project.match_cap)},
            field="fund",
        )
    project.fund = fund
    project.account = ledger.open_holding(Kind.PROJECT, project.community)
    project.reserve = ledger.open_holding(Kind.RESERVE, project.community)
    project.stage = Stage.FUNDING
    project.save()
    if project.match_cap:
        ledger.lock(project.reserve_id)
        ledger.transfer(
            kind=T.RESERVE,
            legs=[(fund.account_id, -project.match_cap), (project.reserve_id, project.match_cap)],
            holding={fund.account_id, project.reserve_id},
            cause_type="project",
            cause_id=str(project.pk),
            project=project,
            at=now,
            actor=actor,
        )
