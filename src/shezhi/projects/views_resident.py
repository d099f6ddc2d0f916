"""Residents' and initiators' phone pages for micro-projects (身边的项目).

- ``near``: the projects a person may see, by stage (tabs), those of their own
  micro-grid or compound first, then the rest of their community, newest first;
- ``detail``: a project with its progress, budget, milestones with photos and its public
  accounts (every line in and out, payers masked unless named, totals reconciled to the
  ledger on the page), and the resident's actions: 附议, pledge, rate;
- ``propose``: the proposal form (budget lines in yuan, photos); a refusal comes back on
  its field and nothing is written;
- ``manage``: the initiator's page (or the community staff's): milestones with photos,
  expenses with their receipts, payments with their channel and reference, the closing
  note.

Reads go through ``selectors`` (a project outside what a person may see is a 404), writes
through ``services``; who may act is ``permissions.can``. Signing in is needed for all of
it: the projects' reads are scoped to those who live or work there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.lists import capped_counts, page_of, subtree_q
from shezhi.core.pages import attempt
from shezhi.core.photos import served
from shezhi.core.scope import held_areas

from . import permissions, selectors, services, services_extra
from .forms_resident import (
    CompleteForm,
    ExpenseForm,
    MilestoneDoneForm,
    MilestoneForm,
    PaymentForm,
    PledgeForm,
    ProposalForm,
    RatingForm,
    end_of,
)
from .models import Backing, Expense, Milestone, Payment, Project, Rating

Stage = Project.Stage
ORDER = ("-created_at", "-id")
PER_PAGE = 20
NEAR_MAX = 10
# The tabs of the list: what residents follow; "all" holds the rest (refused, expired…).
TABS = (
    ("all", gettext_lazy("All"), None),
    ("backing", Stage.BACKING.label, (Stage.BACKING,)),
    ("funding", Stage.FUNDING.label, (Stage.FUNDING,)),
    ("delivery", Stage.DELIVERY.label, (Stage.DELIVERY,)),
    ("completed", Stage.COMPLETED.label, (Stage.COMPLETED,)),
)


def _homes(user) -> list[Area]:
    """Where the person lives (their resident roles' areas)."""
    return held_areas(user, permissions.RESIDENT)


def _home_q(homes) -> Q | None:
    q = None
    for area in homes:
        q = (
            subtree_q("area_path", area.path)
            if q is None
            else q | subtree_q("area_path", area.path)
        )
    return q


def _yuan_progress(project: Project) -> int:
    """Percent of the target raised, for the progress bar (0–100)."""
    raised = services.raised(project)
    return min(100, raised * 100 // project.target) if project.target else 0


def _decorate(projects) -> list[Project]:
    for p in projects:
        p.raised_fen = services.raised(p)
        p.percent = _yuan_progress(p)
    return projects


@require_GET
@login_required
def near(request: HttpRequest) -> HttpResponse:
    """身边的项目: by stage; near home first."""
    visible = selectors.visible_projects(request.user)
    tab = request.GET.get("stage", "all")
    stages = {key: s for key, _label, s in TABS}
    if tab not in stages:
        tab = "all"
    counts = capped_counts(
        {key: (visible if s is None else visible.filter(stage__in=s)) for key, _l, s in TABS}
    )
    qs = visible if stages[tab] is None else visible.filter(stage__in=stages[tab])
    qs = qs.select_related("area")
    home_q = _home_q(_homes(request.user))
    nearby = []
    if home_q is not None:
        nearby = _decorate(list(qs.filter(home_q).order_by(*ORDER)[:NEAR_MAX]))
        qs = qs.exclude(pk__in=[p.pk for p in nearby])
    page = page_of(qs, request.GET, order=ORDER, per_page=PER_PAGE)
    rest = _decorate(list(page.object_list))
    tabs = [(key, label, counts[key], key == tab) for key, label, _s in TABS]
    may_propose = any(
        c.LEVEL_INDEX[a.level] >= c.LEVEL_INDEX[c.COMMUNITY] for a in _homes(request.user)
    )
    return render(
        request,
        "projects/resident/near.html",
        {
            "tabs": tabs,
            "tab": tab,
            "nearby": nearby,
            "rest": rest,
            "page": page,
            "may_propose": may_propose,
        },
    )


def _proposal_areas(user) -> list[Area]:
    """Where a resident may propose: where they live (first: the form's default), and
    their community."""
    found: dict[str, Area] = {}
    for area in _homes(user):
        if c.LEVEL_INDEX[area.level] < c.LEVEL_INDEX[c.COMMUNITY]:
            continue
        community_path = area.path[: 3 * Area.steplen]
        for a in Area.objects.defer("boundary").filter(path__in=[area.path, community_path]):
            found[a.path] = a
    return [found[p] for p in sorted(found, reverse=True)]


@require_http_methods(["GET", "POST"])
@login_required
def propose(request: HttpRequest) -> HttpResponse:
    areas = _proposal_areas(request.user)
    if not areas:
        raise Http404("Only residents propose projects.")
    form = ProposalForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(a for a in areas if a.code == data["area"])
        done = attempt(
            request,
            services_extra.propose_with_photos,
            form=form,
            fields=form.error_fields(),
            success=_("Your proposal is published: neighbours can back it now."),
            actor=request.user,
            area=area,
            title=data["title"],
            problem=data["problem"],
            plan=data["plan"],
            budget=data["budget"],
            deadline=end_of(data["deadline"]),
            allow_overfunding=data["allow_overfunding"],
            organisation=data["organisation"],
            photos=request.FILES.getlist("photos"),
        )
        if done:
            return redirect("projects:detail", pk=done.value.pk)
    return render(
        request,
        "projects/resident/propose.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------------------
# One project


def _detail(request, project: Project, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    project.raised_fen = services.raised(project)
    project.percent = _yuan_progress(project)
    backed = Backing.objects.filter(project=project, resident=user).exists()
    took_part = (
        backed
        or project.initiator_id == user.pk
        or Payment.objects.filter(project=project, payer=user).exists()
    )
    rated = Rating.objects.filter(project=project, resident=user).exists()
    may = {
        "back": project.stage == Stage.BACKING
        and not backed
        and permissions.can(user, "back", project),
        "pledge": project.stage == Stage.FUNDING and permissions.can(user, "pledge", project),
        "rate": project.stage == Stage.COMPLETED
        and took_part
        and not rated
        and permissions.can(user, "rate", project),
        "manage": permissions.can(user, "deliver", project),
        "resubmit": project.stage == Stage.RETURNED and project.initiator_id == user.pk,
        "payment_receipts": permissions.can(user, "record_payment", project),
    }
    ratings = list(Rating.objects.filter(project=project).values_list("stars", flat=True))
    context = {
        "project": project,
        "threshold": services.rules_for(project.district).backing_threshold,
        "backed": backed,
        "rated": rated,
        "may": may,
        "lines": project.budget_lines.all(),
        "milestones": project.milestones.all(),
        "photos": project.photos.all(),
        "accounts": selectors.public_accounts(project),
        "ratings_count": len(ratings),
        "stars_avg": f"{sum(ratings) / len(ratings):.1f}" if ratings else "",
        "pledge_form": forms.get("pledge_form") or PledgeForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
    }
    return render(request, "projects/resident/detail.html", context, status=status)


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_project(request.user, pk))


@require_POST
@login_required
def back(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    done = attempt(request, services.back, actor=request.user, project=project)
    if done:
        if done.value:
            messages.success(request, _("Thank you: you back this project."))
        else:
            messages.info(request, _("You back this project already."))
    return redirect("projects:detail", pk=pk)


@require_POST
@login_required
def pledge(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    form = PledgeForm(request.POST)
    if form.is_valid():
        done = attempt(
            request,
            services.pledge,
            form=form,
            success=lambda p: (
                _("Thank you: you pledged %(amount)s.") % {"amount": services.yuan(p.amount)}
            ),
            actor=request.user,
            project=project,
            amount=form.cleaned_data["amount"],
            named=form.cleaned_data["named"],
        )
        if done:
            return redirect("projects:detail", pk=pk)
        return _detail(request, project, done.status, pledge_form=form)
    return _detail(request, project, 400, pledge_form=form)


@require_POST
@login_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        done = attempt(
            request,
            services.rate,
            form=form,
            success=_("Thank you for your rating."),
            actor=request.user,
            project=project,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
        if done:
            return redirect("projects:detail", pk=pk)
        return _detail(request, project, done.status, rating_form=form)
    return _detail(request, project, 400, rating_form=form)


@require_GET
@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    found = project.photos.filter(pk=photo_id).first()
    return served(found.image if found else None)


@require_GET
@login_required
def milestone_photo(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    found = Milestone.objects.filter(project=project, pk=milestone_id).first()
    return served(found.photo if found else None)


@require_GET
@login_required
def expense_receipt(request: HttpRequest, pk: int, expense_id: int) -> HttpResponse:
    """An expense's receipt: public to whoever sees the project (the public accounts)."""
    project = selectors.get_project(request.user, pk)
    found = Expense.objects.filter(project=project, pk=expense_id).first()
    return served(found.receipt if found else None)


@require_GET
@login_required
def payment_receipt(request: HttpRequest, pk: int, payment_id: int) -> HttpResponse:
    """A cash payment's receipt shows the payer's name: to those who record payments only
    (the public accounts show the payer masked)."""
    project = selectors.get_project(request.user, pk)
    if not permissions.can(request.user, "record_payment", project):
        raise Http404("No such receipt.")
    found = Payment.objects.filter(project=project, pk=payment_id).first()
    return served(found.receipt if found else None)


# ---------------------------------------------------------------------------
# The initiator's page


def _managed(request, pk: int) -> Project:
    project = selectors.get_project(request.user, pk)
    if not permissions.can(request.user, "deliver", project):
        raise PermissionDenied(_("Only the initiator or the community's staff manage it."))
    return project


def _manage(request, project: Project, status: int = 200, **forms) -> HttpResponse:
    milestones = list(project.milestones.all())
    project.raised_fen = services.raised(project)
    project.percent = _yuan_progress(project)
    context = {
        "project": project,
        "milestones": milestones,
        "held": project.account.balance if project.account_id else 0,
        "expenses": project.expenses.order_by("-at", "-pk")[:50],
        "payments": project.payments.order_by("-at", "-pk")[:50],
        "may_pay": project.stage == Stage.FUNDING
        and permissions.can(request.user, "record_payment", project),
        # The initiator's own buttons: send a returned proposal back to review, end
        # crowdfunding early once the target is reached.
        "may_resubmit": project.stage == Stage.RETURNED and _initiator(request, project),
        "may_close": project.stage == Stage.FUNDING
        and services.raised(project) >= project.target
        and _initiator(request, project),
        "may_plan": project.stage in (Stage.FUNDING, Stage.DELIVERY),
        "delivering": project.stage == Stage.DELIVERY,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "done_form": forms.get("done_form") or MilestoneDoneForm(),
        "done_for": forms.get("done_for"),
        "expense_form": forms.get("expense_form") or ExpenseForm(milestones=milestones),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
    }
    return render(request, "projects/resident/manage.html", context, status=status)


@require_GET
@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(request, _managed(request, pk))


def _after(request, project, form, key: str, done) -> HttpResponse:
    if done:
        return redirect("projects:manage", pk=project.pk)
    return _manage(request, project, done.status if form.is_valid() else 400, **{key: form})


class _Invalid:
    """``_after``'s stand-in for a call not made (the form did not parse)."""

    status = 400

    def __bool__(self) -> bool:
        return False


@require_POST
@login_required
def add_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed(request, pk)
    form = MilestoneForm(request.POST)
    done = _Invalid()
    if form.is_valid():
        done = attempt(
            request,
            services.add_milestone,
            form=form,
            success=_("The milestone is planned."),
            actor=request.user,
            project=project,
            title=form.cleaned_data["title"],
            due=form.cleaned_data["due"],
        )
    return _after(request, project, form, "milestone_form", done)


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    project = _managed(request, pk)
    milestone = Milestone.objects.filter(project=project, pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone.")
    form = MilestoneDoneForm(request.POST, request.FILES)
    done = _Invalid()
    if form.is_valid():
        done = attempt(
            request,
            services.complete_milestone,
            form=form,
            success=_("The milestone is done."),
            actor=request.user,
            milestone=milestone,
            note=form.cleaned_data["note"],
            photo=request.FILES.get("photo"),
        )
    if done:
        return redirect("projects:manage", pk=project.pk)
    return _manage(request, project, done.status, done_form=form, done_for=milestone.pk)


@require_POST
@login_required
def record_expense(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed(request, pk)
    form = ExpenseForm(request.POST, request.FILES, milestones=project.milestones.all())
    done = _Invalid()
    if form.is_valid():
        data = form.cleaned_data
        milestone = (
            Milestone.objects.filter(project=project, pk=data["milestone"]).first()
            if data["milestone"]
            else None
        )
        done = attempt(
            request,
            services.record_expense,
            form=form,
            success=lambda e: (
                _("The expense of %(amount)s is recorded.") % {"amount": services.yuan(e.amount)}
            ),
            actor=request.user,
            project=project,
            payee=data["payee"],
            description=data["description"],
            amount=data["amount"],
            receipt=request.FILES.get("receipt"),
            milestone=milestone,
        )
    return _after(request, project, form, "expense_form", done)


@require_POST
@login_required
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project(request.user, pk)
    if not permissions.can(request.user, "record_payment", project):
        raise PermissionDenied(_("Only the initiator or the community's staff record payments."))
    form = PaymentForm(request.POST, request.FILES)
    done = _Invalid()
    if form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            services.record_payment,
            form=form,
            success=lambda r: (
                (
                    _("The payment of %(amount)s is recorded.")
                    if r.created
                    else _("This payment (%(amount)s) was recorded already.")
                )
                % {"amount": services.yuan(r.payment.amount)}
            ),
            actor=request.user,
            project=project,
            payer_name=data["payer_name"],
            amount=data["amount"],
            channel=data["channel"],
            reference=data["reference"],
            named=data["named"],
            receipt=request.FILES.get("receipt"),
        )
    return _after(request, project, form, "payment_form", done)


def _initiator(request, project: Project) -> bool:
    return project.initiator_id == request.user.pk


def _initiated(request, pk: int) -> Project:
    """The initiator's own project, else 404 (staff included: these buttons are the
    initiator's)."""
    project = selectors.get_project(request.user, pk)
    if not _initiator(request, project):
        raise Http404("No such project of yours.")
    return project


@require_POST
@login_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """A returned proposal sent back to review (after the initiator has read the staff's
    reasons on the manage page)."""
    project = _initiated(request, pk)
    done = attempt(
        request,
        services.resubmit,
        success=_("Sent back to review: the community will look at it again."),
        actor=request.user,
        project=project,
    )
    if done:
        return redirect("projects:manage", pk=pk)
    project.refresh_from_db()
    return _manage(request, project, done.status)


@require_http_methods(["GET", "POST"])
@login_required
def close_funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Crowdfunding ended early once the target is reached: this page says what that
    does (no more payments, the unused match back to the community's fund, delivery
    starts) and the initiator confirms it."""
    project = _initiated(request, pk)
    status = 200
    if request.method == "POST":
        done = attempt(
            request,
            services.close_funding,
            quiet=True,
            success=_("Crowdfunding is closed: the project is being delivered now."),
            actor=request.user,
            project=project,
        )
        if done:
            return redirect("projects:manage", pk=pk)
        status = done.status
        error = done.message
        project.refresh_from_db()
    else:
        error = ""
    project.raised_fen = services.raised(project)
    project.percent = _yuan_progress(project)
    closable = project.stage == Stage.FUNDING and project.raised_fen >= project.target
    return render(
        request,
        "projects/resident/close_funding.html",
        {
            "project": project,
            "closable": closable,
            "unused": project.reserve.balance if closable and project.reserve_id else 0,
            "error": error,
        },
        status=status,
    )


@require_POST
@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed(request, pk)
    form = CompleteForm(request.POST)
    done = _Invalid()
    if form.is_valid():
        done = attempt(
            request,
            services.complete,
            form=form,
            success=_("The project is completed: participants can rate it now."),
            actor=request.user,
            project=project,
            closing_note=form.cleaned_data["closing_note"],
        )
    if done:
        return redirect("projects:detail", pk=pk)
    return _after(request, project, form, "complete_form", done)
