"""Campaign pages: the staff's list and board (stages with live counts, actions), the
broadcast composer, the worker's round page (phone), the resident's answer page
(phone) and the package take-up page. Thin: parse, call a service or selector, render.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shezhi.areas.models import Area
from shezhi.core.errors import BadInput
from shezhi.core.pages import attempt
from shezhi.households import selectors as household_selectors

from . import forms, permissions, selectors, services


def _area(code: str, field: str = "area") -> Area:
    area = Area.objects.filter(code=(code or "").strip()).defer("boundary").first()
    if area is None:
        raise BadInput(_("No area has this code."), field=field)
    return area


def _with_area(service, code_field="area", **kw):
    """Call ``service`` with the area named by its code (a bad code names the field)."""

    def call(**more):
        return service(area=_area(more.pop(code_field)), **more)

    return call


def _status(form, done=None) -> int:
    if done is not None and not done:
        return done.status
    return 400 if form is not None and form.is_bound and form.errors else 200


@require_http_methods(["GET", "POST"])
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "view"):
        raise Http404
    form = forms.CampaignForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            _with_area(services.create_campaign),
            form=form,
            actor=request.user,
            name=d["name"],
            area=d["area"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            summary=d["summary"],
            success=_("Campaign created."),
        )
        if done:
            return redirect("campaigns:board", pk=done.value.pk)
    campaigns = list(selectors.visible_campaigns(request.user)[:50])
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "form": form,
            "may_manage": permissions.can(request.user, "manage"),
            "rounds": list(selectors.my_rounds(request.user)[:20]),
        },
        status=_status(form, done),
    )


def _workers(text: str):
    names = [n for n in (text or "").split() if n]
    found = list(get_user_model().objects.filter(username__in=names))
    if not names or len(found) != len(set(names)):
        raise BadInput(_("Give the user names of those going on the round."), field="workers")
    return found


@require_http_methods(["GET", "POST"])
@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """社治专列 board: the five stages with what each produced, counted now; the actions."""
    user = request.user
    campaign = selectors.get_campaign(user, pk)
    may_manage = permissions.can(user, "manage", campaign)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    stage_form = forms.StageForm(request.POST if which == "stage" else None)
    round_form = forms.RoundForm(request.POST if which == "round" else None)
    package_form = forms.PackageForm(request.POST if which == "package" else None)
    result_form = forms.ResultForm(
        request.POST if which == "result" else None, cases=services.case_choices(campaign)
    )
    done = None
    if which == "stage" and stage_form.is_valid():
        d = stage_form.cleaned_data
        done = attempt(
            request, services.move_stage, form=stage_form, actor=user, campaign=campaign,
            stage=d["stage"], note=d["note"], success=_("Stage moved."),
        )  # fmt: skip
    elif which == "round" and round_form.is_valid():
        d = round_form.cleaned_data

        def open_round():
            return services.open_round(
                actor=user, campaign=campaign, title=d["title"], area=_area(d["area"]),
                day=d["day"], workers=_workers(d["workers"]),
            )  # fmt: skip

        done = attempt(request, open_round, form=round_form, success=_("Round opened."))
    elif which == "package" and package_form.is_valid():
        d = package_form.cleaned_data
        done = attempt(
            request, _with_area(services.create_package), form=package_form, actor=user,
            campaign=campaign, name=d["name"], contents=d["contents"], area=d["area"],
            success=_("Package offered."),
        )  # fmt: skip
    elif which == "result" and result_form.is_valid():
        d = result_form.cleaned_data
        figures = []
        if d["figure_label"] and d["figure_value"] is not None:
            figures = [{"label": d["figure_label"], "value": d["figure_value"]}]
        done = attempt(
            request, services.add_result, form=result_form, actor=user, campaign=campaign,
            title=d["title"], summary=d["summary"], figures=figures, publish=d["publish"],
            cases=[x.pk for x in d["cases"]], success=_("Result added."),
        )  # fmt: skip
    if done:
        return redirect("campaigns:board", pk=campaign.pk)
    posted = {
        "stage": stage_form, "round": round_form, "package": package_form, "result": result_form,
    }.get(which)  # fmt: skip
    campaign.refresh_from_db()
    broadcasts = list(campaign.broadcasts.select_related("area").order_by("-id")[:20])
    packages = list(campaign.packages.select_related("area").order_by("-id")[:20])
    b_counts = selectors.broadcast_counts(broadcasts)
    p_counts = selectors.package_counts(packages)
    return render(
        request,
        "campaigns/board.html",
        {
            "campaign": campaign,
            "stages": selectors.board(campaign),
            "counts": selectors.campaign_counts(campaign),
            "rounds": list(campaign.rounds.select_related("area").order_by("-day", "-id")[:20]),
            "broadcasts": [(b, b_counts[b.pk]) for b in broadcasts],
            "packages": [(p, p_counts[p.pk]) for p in packages],
            "results": list(campaign.results.prefetch_related("cases").order_by("-id")[:20]),
            "may_manage": may_manage,
            "stage_form": stage_form,
            "round_form": round_form,
            "package_form": package_form,
            "result_form": result_form,
        },
        status=_status(posted, done) if posted is not None else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def compose(request: HttpRequest, pk: int) -> HttpResponse:
    """小广播 composer: area (or a tag of its residents), notice and question."""
    campaign = selectors.get_campaign(request.user, pk)
    if not permissions.can(request.user, "manage", campaign):
        raise Http404
    form = forms.BroadcastForm(request.POST or None, initial={"area": campaign.area.code})
    done = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request, _with_area(services.send_broadcast), form=form, actor=request.user,
            campaign=campaign, area=d["area"], tag=d["tag"], title=d["title"], body=d["body"],
            question=d["question"], kind=d["kind"],
            success=lambda b: _("Sent to %(n)s residents.") % {"n": b.reach},
        )  # fmt: skip
        if done:
            return redirect("campaigns:board", pk=campaign.pk)
    return render(
        request,
        "campaigns/compose.html",
        {"campaign": campaign, "form": form},
        status=_status(form, done),
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker's round on the phone: the households to knock on (each opens the
    visit form: a visit recorded today joins the round), and a stop at a street address."""
    r = selectors.get_round(request.user, pk)
    form = forms.StopForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request, services.record_stop, form=form, actor=request.user, round=r,
            address=d["address"], wish=d["wish"], kind=d["kind"],
            success=_("Stop recorded."),
        )  # fmt: skip
        if done:
            return redirect("campaigns:round", pk=r.pk)
    households = list(
        household_selectors.households(request.user, area=r.area)
        .select_related("building__compound")
        .defer("building__footprint", "building__compound__boundary")[:100]
    )
    visited = set(r.visits.values_list("visit__household_id", flat=True))
    return render(
        request,
        "campaigns/round.html",
        {
            "round": r,
            "form": form,
            "households": households,
            "visited": visited,
            "stops": r.stops.count(),
        },
        status=_status(form, done),
    )


@require_http_methods(["GET", "POST"])
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's phone page: the notice, its question, their answer (once)."""
    b = selectors.received_broadcast(request.user, pk)
    mine = selectors.my_answer(request.user, b)
    form = forms.AnswerForm(request.POST or None)
    done = None
    if request.method == "POST" and mine is None and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request, services.answer_broadcast, form=form, actor=request.user, broadcast=b,
            text=d["text"], anonymous=d["anonymous"],
            success=_("Thank you: your answer is recorded as a demand."),
        )  # fmt: skip
        if done:
            return redirect("campaigns:answer", pk=b.pk)
    return render(
        request,
        "campaigns/answer.html",
        {"broadcast": b, "form": form, "mine": mine},
        status=_status(form, done),
    )


@require_http_methods(["GET", "POST"])
@login_required
def package_page(request: HttpRequest, pk: int) -> HttpResponse:
    """安居包 take-up: the households of the package's area, each taken or refused once."""
    p = selectors.get_package(request.user, pk)
    form = forms.TakeUpForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household = (
            household_selectors.visible_households(request.user).filter(pk=d["household"]).first()
        )
        done = attempt(
            request, services.record_take_up, actor=request.user, package=p,
            household=household, answer=d["answer"], reason=d["reason"],
            success=_("Recorded."),
        )  # fmt: skip
        if done:
            return redirect("campaigns:package", pk=p.pk)
    households = list(
        household_selectors.households(request.user, area=p.area)
        .select_related("building__compound")
        .defer("building__footprint", "building__compound__boundary")[:100]
    )
    answers = dict(p.take_ups.values_list("household_id", "answer"))
    return render(
        request,
        "campaigns/package.html",
        {
            "package": p,
            "rows": [(h, answers.get(h.pk)) for h in households],
            "counts": selectors.package_counts([p])[p.pk],
        },
        status=done.status if done is not None and not done else (400 if form.errors else 200),
    )
