"""Pages of emergency operations: start, the dashboard (phone and wall), the worker's
check list, roll-call, stand-down and the after-action report. Thin: parse, call a
service or selector, render; scope and refusals as the selectors and services say."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import selectors as area_selectors
from shezhi.core.lists import page_of
from shezhi.core.pages import attempt
from shezhi.events.selectors import active_emergency_periods, display_names

from . import permissions, reports, selectors, services
from .models import Kind, Need, Outcome, RollCall


def _key() -> str:
    # The page's request key: a form resent (a retried tap, a reload) carries it again.
    return uuid.uuid4().hex


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "dashboard"):
        raise Http404("No operations here.")
    ops = list(selectors.visible_operations(request.user)[:50])
    return render(request, "operations/index.html", {"operations": ops})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area = area_selectors.get_area(user, code)
    if not permissions.can(user, "start", area):
        raise Http404("No such area.")
    periods = active_emergency_periods(area, timezone.now())
    values = {"kind": "", "title": "", "instructions": "", "request_key": _key()}
    error = None
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        done = attempt(
            request,
            services.start_operation,
            quiet=True,
            actor=user,
            area=area,
            kind=values["kind"],
            title=values["title"],
            instructions=values["instructions"],
            request_key=values["request_key"],
            success=_("Operation started: every household of the area is on the check list."),
        )
        if done:
            return redirect("operations:detail", pk=done.value.pk)
        error = {"message": done.message, "field": done.error.field}
        status = done.status
    return render(
        request,
        "operations/start.html",
        {
            "area": area,
            "periods": periods,
            "kinds": Kind.choices,
            "values": values,
            "error": error,
            "running": selectors.running_in(area),
        },
        status=status,
    )


def _page_context(request, op) -> dict:
    user = request.user
    return {
        "op": op,
        "sees_lines": permissions.sees_lines(user, op),
        "can_stand_down": op.running and permissions.can(user, "stand_down", op),
        "can_report": permissions.can(user, "report", op),
        "started_by": display_names([op.started_by_id]).get(op.started_by_id, ""),
        "board": selectors.dashboard(user, op),
    }


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    op = selectors.get_operation(request.user, pk)
    context = _page_context(request, op)
    mine = None
    if op.running and permissions.can(request.user, "roll_call", op):
        mine = op.roll_calls.filter(user=request.user).first()
    context.update(
        {
            "wall": False,
            "my_roll_call": mine,
            "statuses": RollCall.Status.choices,
            "request_key": _key(),
        }
    )
    return render(request, "operations/dashboard.html", context)


@never_cache
@login_required
@require_GET
def wall(request: HttpRequest, pk: int) -> HttpResponse:
    op = selectors.get_operation(request.user, pk)
    context = _page_context(request, op)
    context["wall"] = True
    return render(request, "operations/dashboard.html", context)


@never_cache
@login_required
@require_GET
def data(request: HttpRequest, pk: int) -> JsonResponse:
    """The dashboard's figures, polled by the page every few seconds."""
    op = selectors.get_operation(request.user, pk)
    board = selectors.dashboard(request.user, op, levels=False).as_dict()
    board.pop("levels", None)
    return JsonResponse(board, json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
@require_GET
def check_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    op = selectors.get_operation(user, pk, "check")
    todo = request.GET.get("todo") == "1"
    qs = selectors.lines(user, op, todo=todo)
    page = page_of(qs, request.GET, order=selectors.LINE_ORDER, per_page=30)
    names = display_names(line.checked_by_id for line in page.object_list)
    for line in page.object_list:
        line.checked_by_name = names.get(line.checked_by_id, "")
        line.request_key = _key()
    return render(
        request,
        "operations/check_list.html",
        {
            "op": op,
            "page": page,
            "lines": page.object_list,
            "todo": todo,
            "outcomes": Outcome.choices,
            "needs": Need.choices,
        },
    )


@never_cache
@login_required
@require_POST
def check(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    user = request.user
    op = selectors.get_operation(user, pk, "check")
    line = selectors.get_line(user, op, line_id)
    version = request.POST.get("version", "")
    done = attempt(
        request,
        services.record_check,
        actor=user,
        line=line,
        outcome=request.POST.get("outcome", ""),
        needs=request.POST.getlist("needs"),
        notes=request.POST.get("notes", ""),
        request_key=request.POST.get("request_key", ""),
        version=int(version) if version.isdigit() else None,
        success=_("Recorded."),
    )
    back = request.POST.get("next", "")
    if not back.startswith("/operations/"):
        back = f"/operations/{op.pk}/check/"
    response = redirect(f"{back}#line-{line.pk}")
    if not done:
        response.status_code = 303
    return response


@never_cache
@login_required
@require_POST
def hand_out(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    user = request.user
    op = selectors.get_operation(user, pk, "check")
    line = selectors.get_line(user, op, line_id)
    attempt(
        request,
        services.hand_out,
        actor=user,
        line=line,
        item=request.POST.get("item", ""),
        quantity=request.POST.get("quantity", ""),
        signed_by=request.POST.get("signed_by", ""),
        request_key=request.POST.get("request_key", ""),
        success=_("Hand-out recorded."),
    )
    return redirect(f"/operations/{op.pk}/check/#line-{line.pk}")


@never_cache
@login_required
@require_POST
def roll_call(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    op = selectors.get_operation(user, pk, "roll_call")
    attempt(
        request,
        services.report_roll_call,
        actor=user,
        operation=op,
        status=request.POST.get("status", ""),
        lng=request.POST.get("lng") or None,
        lat=request.POST.get("lat") or None,
        note=request.POST.get("note", ""),
        request_key=request.POST.get("request_key", ""),
        success=_("Reported."),
    )
    return redirect("operations:detail", pk=op.pk)


@never_cache
@login_required
@require_POST
def stand_down(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    op = selectors.get_operation(user, pk)
    if not permissions.can(user, "stand_down", op):
        raise Http404("No such operation.")
    attempt(
        request,
        services.stand_down,
        actor=user,
        operation=op,
        success=_("Operation stood down; its after-action report is ready."),
    )
    return redirect("operations:detail", pk=op.pk)


_REPORTS = {
    "xlsx": (reports.workbook, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (reports.pdf, "application/pdf"),
}


def _report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The after-action report as a download (the reader's part of the operation)."""
    op = selectors.get_operation(request.user, pk, "report")
    draw, content_type = _REPORTS[kind]
    response = HttpResponse(draw(reports.after_action(request.user, op)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="operation_{op.pk}_report.{kind}"'
    return response


@never_cache
@login_required
@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _report(request, pk, "xlsx")


@never_cache
@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _report(request, pk, "pdf")
