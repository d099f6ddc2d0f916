"""The projects' rows of the scope matrix (tests/test_scope_matrix.py): a project in
each place of the matrix's world, and each role's own project at the stage its route
acts on."""

from __future__ import annotations

from datetime import date, timedelta

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


def pay_batch(m):
    project = own_project(m, "funding")
    return {"project_id": project.pk}, {"lines": [{**PAY, "reference": f"batch{project.pk}"}]}


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


# ---------------------------------------------------------------------------
# The residents' and initiators' pages (projects/views_resident.py)


def _jpeg(name="p.jpg"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


PAGE = "projects/<int:pk>/"
STAFF_PAGE = "projects/staff/<int:pk>/"
# Route → (method, kind, form body): every page route names its project.
PAGE_ROUTES = {
    PAGE: ("get", "project", ""),
    PAGE + "back/": ("post", "project", {}),
    PAGE + "pledge/": ("post", "project", {"amount": "1.00"}),
    PAGE + "rate/": ("post", "project", {"stars": "5"}),
    PAGE + "photos/<int:photo_id>/": ("get", "project", ""),
    PAGE + "milestones/<int:milestone_id>/photo/": ("get", "project", ""),
    PAGE + "expenses/<int:expense_id>/receipt/": ("get", "project", ""),
    PAGE + "payments/<int:payment_id>/receipt/": ("get", "project", ""),
    PAGE + "manage/": ("get", "project", ""),
    PAGE + "manage/milestones/": ("post", "project", {"title": "采购", "due": "2030-01-01"}),
    PAGE + "manage/milestones/<int:milestone_id>/done/": ("post", "project", {"note": "好"}),
    PAGE + "manage/expenses/": ("post", "project", {"payee": "店", "description": "器材",
                                                      "amount": "1"}),
    PAGE + "manage/payments/": ("post", "project", {"payer_name": "张三", "amount": "1",
                                                      "channel": "bank", "reference": "pg"}),
    PAGE + "manage/complete/": ("post", "project", {"closing_note": "完成"}),
    PAGE + "manage/resubmit/": ("post", "project", {}),
    PAGE + "manage/close-funding/": ("post", "project", {}),
    # The staff's refunds and reversals (each object a project's, 404 elsewhere).
    STAFF_PAGE + "refunds/": ("get", "project", ""),
    STAFF_PAGE + "payments/<int:payment_id>/refund/": ("post", "project", {"reason": "退出"}),
    STAFF_PAGE + "payments/<int:payment_id>/reverse/": ("post", "project", {"reason": "记错"}),
    STAFF_PAGE + "expenses/<int:expense_id>/reverse/": ("post", "project", {"reason": "记错"}),
}  # fmt: skip


def _page(stage: str, body=None):
    def make(m):
        pk = own_project(m, stage).pk
        return {"pk": pk}, (body(pk) if callable(body) else body)

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


def _photo(m):
    from shezhi.projects.models import ProjectPhoto

    project = own_project(m, "backing")
    row = ProjectPhoto(project=project, at=timezone.now())
    row.image.save("p.jpg", _jpeg(), save=False)
    row.save()
    return {"pk": project.pk, "photo_id": row.pk}, None


def _milestone(m, photo: bool):
    project = own_project(m, "delivery")
    ms = services.add_milestone(
        actor=m.manager, project=project, title="采购", due=date(2030, 1, 1)
    )
    if photo:
        services.complete_milestone(actor=m.manager, milestone=ms, note="好", photo=_jpeg())
    return {"pk": project.pk, "milestone_id": ms.pk}, None


def _expense(m):
    project = own_project(m, "delivery")
    e = services.record_expense(
        actor=m.manager, project=project, payee="店", description="器材", amount=100,
        receipt=_jpeg(),
    )  # fmt: skip
    return {"pk": project.pk, "expense_id": e.pk}, None


def _cash(m):
    project = own_project(m, "funding")
    done = services.record_payment(
        actor=m.manager, project=project, payer_name="赵六", amount=100, channel="cash",
        receipt=_jpeg(),
    )  # fmt: skip
    return {"pk": project.pk, "payment_id": done.payment.pk}, None


def _payment(m):
    project = own_project(m, "funding")
    done = services.record_payment(
        actor=m.manager, project=project, payer_name="赵六", amount=100, channel="bank",
        reference=f"undo{project.pk}",
    )  # fmt: skip
    return {"pk": project.pk, "payment_id": done.payment.pk}, None


def _closable(m):
    return {"pk": own_project(m, "closable", overfund=True).pk}, None


def page_inside(readers, residents, deliverers) -> dict:
    """The pages' inside rows: readers see, residents back, pledge and rate their own,
    the initiator (a resident) and the community's staff deliver; the initiator alone
    resubmits and closes funding early; the staff (``deliverers`` but the residents)
    refund and reverse."""
    staff = frozenset(deliverers) - frozenset(residents)
    return {
        PAGE + "manage/resubmit/": (residents, _page("returned")),
        PAGE + "manage/close-funding/": (residents, _closable),
        STAFF_PAGE + "refunds/": (staff, _page("funding")),
        STAFF_PAGE + "payments/<int:payment_id>/refund/": (staff, _payment),
        STAFF_PAGE + "payments/<int:payment_id>/reverse/": (staff, _payment),
        STAFF_PAGE + "expenses/<int:expense_id>/reverse/": (staff, _expense),
        PAGE: (readers, _page("backing")),
        PAGE + "back/": (residents, _page("backing")),
        PAGE + "pledge/": (residents, _page("funding")),
        PAGE + "rate/": (residents, _page("completed")),
        PAGE + "photos/<int:photo_id>/": (readers, _photo),
        PAGE + "milestones/<int:milestone_id>/photo/": (readers, lambda m: _milestone(m, True)),
        PAGE + "expenses/<int:expense_id>/receipt/": (readers, _expense),
        PAGE + "payments/<int:payment_id>/receipt/": (deliverers, _cash),
        PAGE + "manage/": (deliverers, _page("funding")),
        PAGE + "manage/milestones/": (deliverers, _page("delivery")),
        PAGE + "manage/milestones/<int:milestone_id>/done/": (
            deliverers, lambda m: _milestone(m, False),
        ),
        PAGE + "manage/expenses/": (deliverers, _page("delivery", lambda pk: {
            "payee": "店", "description": "器材", "amount": "1", "receipt": _jpeg(),
        })),
        PAGE + "manage/payments/": (deliverers, _page("funding", lambda pk: {
            "payer_name": "张三", "amount": "1", "channel": "bank", "reference": f"pg{pk}",
        })),
        PAGE + "manage/complete/": (deliverers, _page("delivery")),
    }  # fmt: skip
