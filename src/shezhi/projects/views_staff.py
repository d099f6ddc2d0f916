"""The staff's pages for micro-projects under /projects/staff/: the review queue, funds
and the district's rules, payment recording, the finance office's spreadsheets.

Thin views: ``forms_staff`` parse (yuan → fen), ``services`` decide and write (a refusal
is shown beside the field it names, with nothing written), ``selectors_staff`` read.
Every page is the staff's over the project's community (``STAFF_ROLES``): a project or
a fund elsewhere, or anyone else, gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas.models import Area
from shezhi.core.errors import EventError as Refusal
from shezhi.core.lists import keyset_page
from shezhi.core.pages import attempt

from . import exports, forms_staff, permissions, recording, selectors, services
from . import selectors_staff as staff
from .models import CommunityFund, Expense, MoneyEntry, Payment, Project
from .templatetags.staff_money import percent_bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 20
PAYMENTS_SHOWN = 30
ACTIVE = (Project.Stage.FUNDING, Project.Stage.DELIVERY)


def _is_staff(user) -> bool:
    return bool(staff.staff_districts(user))


def _staff_only(request) -> None:
    if not _is_staff(request.user):
        raise Http404("No staff pages here.")


def _tabs(current: str) -> list[dict]:
    return [
        {"key": k, "label": label, "url": reverse(name), "current": k == current}
        for k, label, name in (
            ("queue", _("Review and payments"), "projects:staff_index"),
            ("funds", _("Funds and rules"), "projects:staff_funds"),
        )
    ]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------
# The review queue and the projects taking money


def _paged(request, build, *names):
    """``build`` given the cursors ``names`` from the query, and (200, ""); for a cursor
    these lists did not give out, ``build`` of none (the first pages) with the refusal's
    status and message, for the page's notice."""
    try:
        return build(*(request.GET.get(n) or None for n in names)), 200, ""
    except Refusal as exc:
        return build(*(None for _n in names)), exc.status, exc.message


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    user = request.user
    projects = staff.staff_projects(user)

    def lists(after, active_after):
        return (
            keyset_page(projects.filter(stage=Project.Stage.REVIEW), order=["-created_at", "-id"],
                        limit=PAGE, after=after, field_name="after"),
            keyset_page(projects.filter(stage__in=ACTIVE), order=["-created_at", "-id"],
                        limit=PAGE, after=active_after, field_name="active_after"),
        )  # fmt: skip

    (queue, active), status, error = _paged(request, lists, "after", "active_after")
    support = staff.supports(list(queue.items))
    return render(
        request,
        "projects/staff/index.html",
        {
            "tabs": _tabs("queue"),
            "queue": [(p, support[p.pk]) for p in queue.items],
            "queue_next": queue.next_cursor,
            "active": active.items,
            "active_next": active.next_cursor,
            "error": error,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff.staff_project(request.user, pk)
    form = forms_staff.ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = attempt(
                request, services.review, actor=request.user, project=project,
                decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                form=form, success=_("Decision recorded."),
            )  # fmt: skip
            if done:
                return redirect("projects:staff_index")
            status = done.status
        else:
            status = 400
    support = staff.support_for(project)
    return render(
        request,
        "projects/staff/review.html",
        {
            "tabs": _tabs("queue"),
            "project": project,
            "support": support,
            "lines": project.budget_lines.all(),
            "form": form,
        },
        status=status,
    )


# ---------------------------------------------------------------------------
# Recording payments


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def payments(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = staff.staff_project(user, pk)
    batch = request.method == "POST" and request.POST.get("action") == "batch"
    form = forms_staff.PaymentForm(
        request.POST if request.method == "POST" and not batch else None,
        request.FILES if request.method == "POST" and not batch else None,
    )
    batch_form = forms_staff.PaymentBatchForm(
        request.POST if batch else None, request.FILES if batch else None
    )
    status = 200
    if batch:
        if batch_form.is_valid() and _record_batch(request, project, batch_form):
            return redirect("projects:staff_payments", pk=project.pk)
        status = 400
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            done = attempt(
                request, recording.record_payment, actor=user, project=project,
                payer_name=data["payer_name"], amount=data["amount"], channel=data["channel"],
                reference=data["reference"], named=data["named"],
                receipt=data["receipt"] or None, form=form, fields={"photos": "receipt"},
                success=lambda r: (
                    _("Payment of %(amount)s recorded.") if r.created
                    else _("This payment (%(amount)s) had been recorded already: nothing added.")
                ) % {"amount": services.yuan(r.payment.amount)},
            )  # fmt: skip
            if done:
                return redirect("projects:staff_payments", pk=project.pk)
            status = done.status
        else:
            status = 400
    project.refresh_from_db()
    recent = list(Payment.objects.filter(project=project).order_by("-at", "-pk")[:PAYMENTS_SHOWN])
    _shown_names(user, project, recent)
    return render(
        request,
        "projects/staff/payments.html",
        {
            "tabs": _tabs("queue"),
            "project": project,
            "raised": services.raised(project),
            "form": form,
            "batch_form": batch_form,
            "payments": recent,
            "open": project.stage == Project.Stage.FUNDING,
        },
        status=status,
    )


def _shown_names(user, project, payments) -> None:
    """Each payment's ``shown_name``: the payer's name to the community's own staff (or
    when the payer chose to be named), else masked (张*)."""
    names = permissions.sees_payer_names(user, project.community)
    for p in payments:
        p.shown_name = p.payer_name if names or p.named else services.masked_name(p.payer_name)


def _record_batch(request, project, form) -> bool:
    """The rows recorded together (every row or none); each refused row named."""
    data = form.cleaned_data
    try:
        done = services.record_payments(
            actor=request.user,
            lines=[{**line, "project": project.pk} for line in data["lines"]],
        )
    except services.LinesRefused as exc:
        rows = data["row_numbers"]
        for r in exc.lines:
            form.add_error(
                None,
                _("Row %(n)s: %(error)s") % {"n": rows[r["line"] - 1], "error": r["detail"]},
            )
        return False
    except Refusal as exc:
        form.add_error(None, exc.message)
        return False
    created = [r for r in done if r.created]
    messages.success(
        request,
        _("%(n)s payments recorded (%(amount)s); %(again)s recorded already: nothing added.")
        % {
            "n": len(created),
            "amount": services.yuan(sum(r.payment.amount for r in created)),
            "again": len(done) - len(created),
        },
    )
    return True


@never_cache
@login_required
@require_GET
def project_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's public accounts for the finance office, as an .xlsx (audited)."""
    user = request.user
    project = staff.staff_project(user, pk)
    names = permissions.sees_payer_names(user, project.community)
    data = exports.project_workbook(project, names=names)
    exports.log_export(actor=user, obj=project, sheet="project_accounts", names=names)
    return _xlsx(data, f"project-{project.pk}-accounts-{timezone.localdate():%Y%m%d}.xlsx")


# ---------------------------------------------------------------------------
# Refunds and reversals: a list of the project's payments and expenses, each taken back
# on a page of its own that shows what will happen first (the confirm step), with a
# reason the ledger keeps; a refusal is shown on that page, nothing written.


@never_cache
@login_required
@require_GET
def refunds(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = staff.staff_project(user, pk)

    def lists(after, expenses_after):
        return (
            keyset_page(staff.project_payments(project), order=["-id"], limit=PAGE,
                        after=after, field_name="after"),
            keyset_page(staff.project_expenses(project), order=["-id"], limit=PAGE,
                        after=expenses_after, field_name="expenses_after"),
        )  # fmt: skip

    (payments, expenses), status, error = _paged(request, lists, "after", "expenses_after")
    staff.mark_undone(project, payments.items, expenses.items)
    _shown_names(user, project, payments.items)
    return render(
        request,
        "projects/staff/refunds.html",
        {
            "tabs": _tabs("queue"),
            "project": project,
            "held": project.account.balance if project.account_id else 0,
            "payments": payments.items,
            "payments_next": payments.next_cursor,
            "expenses": expenses.items,
            "expenses_next": expenses.next_cursor,
            "funding": project.stage == Project.Stage.FUNDING,
            "delivering": project.stage == Project.Stage.DELIVERY,
            "error": error,
        },
        status=status,
    )


def _undo_payment(request: HttpRequest, pk: int, payment_id: int, how: str) -> HttpResponse:
    user = request.user
    project = staff.staff_project(user, pk)
    payment = staff.project_payment(project, payment_id)
    _shown_names(user, project, [payment])
    form = forms_staff.UndoForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            figures = {"amount": services.yuan(payment.amount), "payer": payment.shown_name}
            done = attempt(
                request,
                services.refund_payment if how == "refund" else services.reverse_payment,
                actor=user, payment=payment, reason=form.cleaned_data["reason"], form=form,
                success=(
                    _("%(amount)s refunded to %(payer)s.") if how == "refund"
                    else _("The payment of %(amount)s by %(payer)s is reversed.")
                ) % figures,
            )  # fmt: skip
            if done:
                return redirect("projects:staff_refunds", pk=project.pk)
            status = done.status
            _reread(project, payment)
        else:
            status = 400
    staff.mark_undone(project, [payment], [])
    can = payment.status == Payment.Status.PAID and project.stage == Project.Stage.FUNDING
    return render(
        request,
        "projects/staff/undo.html",
        {
            "tabs": _tabs("queue"),
            "project": project,
            "how": how,
            "payment": payment,
            "effect": staff.payment_undo(project, payment) if can else None,
            "open": can,
            "form": form,
        },
        status=status,
    )


def _reread(project: Project, item) -> None:
    """After a refusal: the page shows things as they are now (another desk may have
    taken the same payment back a moment before)."""
    project.refresh_from_db()
    item.refresh_from_db()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def refund_payment(request: HttpRequest, pk: int, payment_id: int) -> HttpResponse:
    """Money back to the resident, exactly what they paid (and the match it had earned
    back to the project's reserve)."""
    return _undo_payment(request, pk, payment_id, "refund")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reverse_payment(request: HttpRequest, pk: int, payment_id: int) -> HttpResponse:
    """A payment recorded in error, struck out by the opposite ledger line."""
    return _undo_payment(request, pk, payment_id, "reverse")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reverse_expense(request: HttpRequest, pk: int, expense_id: int) -> HttpResponse:
    """An expense recorded in error: its money back on the project's account."""
    user = request.user
    project = staff.staff_project(user, pk)
    expense = staff.project_expense(project, expense_id)
    form = forms_staff.UndoForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = attempt(
                request, services.reverse_expense, actor=user, expense=expense,
                reason=form.cleaned_data["reason"], form=form,
                success=_("The expense of %(amount)s to %(payee)s is reversed.")
                % {"amount": services.yuan(expense.amount), "payee": expense.payee},
            )  # fmt: skip
            if done:
                return redirect("projects:staff_refunds", pk=project.pk)
            status = done.status
            _reread(project, expense)
        else:
            status = 400
    staff.mark_undone(project, [], [expense])
    held = project.account.balance if project.account_id else 0
    can = expense.status == Expense.Status.SPENT and project.stage == Project.Stage.DELIVERY
    return render(
        request,
        "projects/staff/undo.html",
        {
            "tabs": _tabs("queue"),
            "project": project,
            "how": "reverse",
            "expense": expense,
            "held_after": held + expense.amount if can else None,
            "open": can,
            "form": form,
        },
        status=status,
    )


# ---------------------------------------------------------------------------
# Funds and the district's rules


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def funds(request: HttpRequest) -> HttpResponse:
    """Each community fund the user is staff over, with its balance; the district's
    rules (district admins change them; the other staff read them)."""
    _staff_only(request)
    user = request.user
    districts = staff.staff_districts(user)
    forms_by_district = {}
    status = 200
    for d in districts:
        rules = services.rules_for(d)
        initial = {
            "backing_threshold": rules.backing_threshold,
            "match_ratio": percent_bp(rules.match_ratio_bp).rstrip("%"),
            "match_cap": f"{rules.match_cap // 100}.{rules.match_cap % 100:02d}",
            "overfunding_pct": rules.overfunding_pct,
        }
        posted = request.method == "POST" and request.POST.get("district") == d.code
        # One form per district on the page: ids apart, names the same.
        form = forms_staff.RulesForm(
            request.POST if posted else None, initial=initial, auto_id=f"r{d.pk}_%s"
        )
        if posted:
            if form.is_valid():
                data = form.cleaned_data
                done = attempt(
                    request, services.set_rules, actor=user, district=d,
                    backing_threshold=data["backing_threshold"],
                    match_ratio_bp=data["match_ratio"], match_cap=data["match_cap"],
                    overfunding_pct=data["overfunding_pct"], form=form,
                    fields={"match_ratio_bp": "match_ratio"},
                    success=_("The district's rules are saved."),
                )  # fmt: skip
                if done:
                    return redirect("projects:staff_funds")
                status = done.status
            else:
                status = 400
        forms_by_district[d.pk] = (rules, form, permissions.can(user, "rules", d))
    if request.method == "POST" and not any(
        request.POST.get("district") == d.code for d in districts
    ):
        raise Http404("No such district.")
    rows = list(selectors.visible_funds(user).order_by("community__code"))
    by_district: dict[str, list[CommunityFund]] = {}
    for f in rows:
        by_district.setdefault(f.area_path[: Area.steplen], []).append(f)
    return render(
        request,
        "projects/staff/funds.html",
        {
            "tabs": _tabs("funds"),
            "districts": [
                {
                    "area": d,
                    "rules": forms_by_district[d.pk][0],
                    "form": forms_by_district[d.pk][1],
                    "edits": forms_by_district[d.pk][2],
                    "funds": by_district.get(d.path, []),
                }
                for d in districts
            ],
        },
        status=status,
    )


def _fund_page(request, fund, form, status=200) -> HttpResponse:
    entries = MoneyEntry.objects.filter(account_id=fund.account_id).select_related(
        "transfer", "transfer__project"
    )
    movements, refused, error = _paged(
        request,
        lambda after: keyset_page(entries, order=["-id"], limit=PAGE, after=after,
                                  field_name="after"),
        "after",
    )  # fmt: skip
    status = refused if error else status
    return render(
        request,
        "projects/staff/fund.html",
        {
            "tabs": _tabs("funds"),
            "fund": fund,
            "movements": movements.items,
            "next": movements.next_cursor,
            "form": form,
            "reserved": fund.projects.filter(stage=Project.Stage.FUNDING).count(),
            "error": error,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def fund(request: HttpRequest, pk: int) -> HttpResponse:
    found = staff.staff_fund(request.user, pk)
    return _fund_page(request, found, forms_staff.TopUpForm())


@never_cache
@login_required
@require_POST
def fund_top_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Money granted to the fund, through the ledger (once per document number)."""
    found = staff.staff_fund(request.user, pk)
    form = forms_staff.TopUpForm(request.POST)
    if not form.is_valid():
        return _fund_page(request, found, form, status=400)
    done = attempt(
        request, services.allocate, actor=request.user, fund=found,
        amount=form.cleaned_data["amount"], reference=form.cleaned_data["reference"],
        form=form, fields={"": "reference"},
        success=lambda t: _("%(amount)s added to the fund.") % {
            "amount": services.yuan(t.amount)
        },
    )  # fmt: skip
    if done:
        return redirect("projects:staff_fund", pk=found.pk)
    found.account.refresh_from_db()
    return _fund_page(request, found, form, status=done.status)


@never_cache
@login_required
@require_GET
def fund_export(request: HttpRequest, pk: int) -> HttpResponse:
    found = staff.staff_fund(request.user, pk)
    data = exports.fund_workbook(found)
    exports.log_export(actor=request.user, obj=found, sheet="fund_statement", names=False)
    return _xlsx(data, f"fund-{found.community.code}-{timezone.localdate():%Y%m%d}.xlsx")
