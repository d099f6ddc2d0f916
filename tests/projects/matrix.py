"""The projects' rows of the scope matrix (tests/test_scope_matrix.py): a project in
each place of the matrix's world, and each role's own project at the stage its route
acts on."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.projects import services
from shezhi.projects.models import CommunityFund, Project

PAY = {"payer_name": "张三", "amount": 100, "channel": "bank", "reference": "matrix"}


def project_in(area, initiator) -> int:
    """A proposal in ``area`` (collecting backings): enough for the 404s outside scope."""
    community = Area.objects.get(path=area.path[: 3 * Area.steplen])
    return Project.objects.create(
        title="矩阵项目",
        area=area,
        area_path=area.path,
        community=community,
        district=Area.objects.get(path=area.path[: Area.steplen]),
        initiator=initiator,
        problem="p",
        plan="q",
        target=10_000,
        deadline=timezone.now() + timedelta(days=10),
        created_at=timezone.now(),
    ).pk


def _ready(m):
    """The district's rules (one backing sends a proposal to review) and a funded fund."""
    district, community = m.t["district"], m.t["community"]
    services.set_rules(
        actor=m.manager, district=district, backing_threshold=1, match_ratio_bp=5000,
        match_cap=5_000, overfunding_pct=20,
    )  # fmt: skip
    if not CommunityFund.objects.filter(community=community).exists():
        fund = services.open_fund(actor=m.manager, community=community, name="基金")
        services.allocate(actor=m.manager, fund=fund, amount=10_000_000, reference="m")


def own_project(m, stage: str, overfund: bool = False) -> Project:
    """The role's project in micro1 at ``stage`` (a resident's own proposal)."""
    _ready(m)
    initiator = m.user if m.role == "resident" else m.someone("ini", role="resident", area=m.micro1)
    project = services.propose(
        actor=initiator, area=m.micro1, title="健身角", problem="p", plan="q",
        budget=[{"kind": "materials", "description": "器材", "amount": 10_000}],
        deadline=timezone.now() + timedelta(days=10), allow_overfunding=overfund,
    )  # fmt: skip
    if stage == "backing":
        return project
    services.back(actor=initiator, project=project)
    project.refresh_from_db()
    if stage == "review":
        return project
    if stage == "returned":
        return services.review(actor=m.manager, project=project, decision="return", reason="改")
    services.review(actor=m.manager, project=project, decision="approve")
    project.refresh_from_db()
    if stage == "funding":
        return project
    services.record_payment(
        actor=m.manager, project=project, payer_name="王五", amount=6_667, channel="bank",
        reference=f"full{project.pk}",
    )  # fmt: skip
    project.refresh_from_db()
    if stage in ("delivery", "closable"):
        return project
    return services.complete(actor=m.manager, project=project, closing_note="好")


def at(stage: str, body=None):
    def make(m):
        pk = own_project(m, stage).pk
        return {"project_id": pk}, body

    return make


def payment(m):
    project = own_project(m, "funding")
    done = services.record_payment(
        actor=m.manager, project=project, payer_name="赵六", amount=100, channel="bank",
        reference=f"p{project.pk}",
    )  # fmt: skip
    return {"project_id": project.pk, "payment_id": done.payment.pk}, None


def closable(m):
    """Crowdfunding that has reached its target and may take more (overfunding)."""
    return {"project_id": own_project(m, "closable", overfund=True).pk}, None


def pay(m):
    project = own_project(m, "funding")
    return {"project_id": project.pk}, {**PAY, "reference": f"new{project.pk}"}


# ---------------------------------------------------------------------------
# The staff's pages and the photo routes (issue 17, h17s)


def fund_in(area, actor) -> int:
    """The community fund of ``area``'s community (the staff pages' fund routes), opened
    by ``actor``, the district's admin."""
    community = Area.objects.get(path=area.path[: 3 * Area.steplen])
    return services.open_fund(actor=actor, community=community, name="矩阵基金").pk


def page(stage: str):
    """A staff page of the role's project at ``stage`` (``<int:pk>``)."""

    def make(m):
        return {"pk": own_project(m, stage).pk}, None

    return make


def fund_page(body=None):
    def make(m):
        _ready(m)
        fund = CommunityFund.objects.get(community=m.t["community"])
        return {"pk": fund.pk}, (body(m) if body else None)

    return make


def top_up_body(m):
    return {"amount": "1.00", "reference": f"matrix-{m.role}"}


def project_photo(m):
    from tests.factories import ProjectPhotoFactory

    project = own_project(m, "backing")
    return {"project_id": project.pk, "photo_id": ProjectPhotoFactory(project=project).pk}, None


def _receipt():
    from tests.projects.conftest import photo

    return photo()


def receipted_payment(m):
    project = own_project(m, "funding")
    done = services.record_payment(
        actor=m.manager, project=project, payer_name="赵六", amount=100, channel="cash",
        reference=f"cash{project.pk}", receipt=_receipt(),
    )  # fmt: skip
    return {"project_id": project.pk, "payment_id": done.payment.pk}, None


def receipted_expense(m):
    project = own_project(m, "delivery")
    expense = services.record_expense(
        actor=m.manager, project=project, payee="店", description="器材", amount=100,
        receipt=_receipt(),
    )  # fmt: skip
    return {"project_id": project.pk, "expense_id": expense.pk}, None


def milestone(done: bool):
    def make(m):
        project = own_project(m, "delivery")
        ms = services.add_milestone(
            actor=m.manager, project=project, title="采购", due=timezone.localdate()
        )
        if done:
            services.complete_milestone(actor=m.manager, milestone=ms, photo=_receipt())
        return {"project_id": project.pk, "milestone_id": ms.pk}, None

    return make


def pay_with_receipt(m):
    project = own_project(m, "funding")
    return {"project_id": project.pk}, {**PAY, "reference": f"mp{project.pk}"}
