"""The points pages under /points/: my points, rewards, leaderboard, piece rates, staff's desk.

Thin views: ``forms`` parse, ``services`` decide and write (their errors are shown
on the form that was sent, with nothing written), ``selectors`` read and scope.
Objects outside the user's scope answer 404 (the ``get_*`` selectors raise it).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.pages import attempt

from . import causes, exports, forms, permissions, rules, selectors, services
from .models import DEDUCTION_RULES, Bucket, CauseType, Redemption, RuleKind, Transfer

LEADERBOARD_LIMIT = 10
EXPORT_LIMIT = 10_000  # everyone of a district's month, in practice
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MY_REDEMPTIONS_SHOWN = 50
HANDED_OVER_SHOWN = 10
# One page of each long list (the rewards page, /points/manage/'s lists).
CATALOGUE_PAGE = 24
WAITING_PAGE = 20
MANAGED_REWARDS_PAGE = 20
REVERSIBLE = (Transfer.Kind.AWARD, Transfer.Kind.DEDUCTION)


# ---------------------------------------------------------------------------
# Shared pieces


def _tabs(user, current: str) -> list[dict]:
    """The points pages the user's roles open, for the tabs on top of each."""
    tabs = [
        ("home", _("My points"), reverse("incentives:home")),
        ("rewards", _("Rewards"), reverse("incentives:rewards")),
    ]
    if selectors.default_points_area(user) is not None:
        tabs.append(("leaderboard", _("Leaderboard"), reverse("incentives:leaderboard")))
    if selectors.own_districts(user):
        tabs.append(("rules", _("Piece rates"), reverse("incentives:rules")))
    if permissions.can(user, "manage"):
        tabs.append(("manage", _("Manage"), reverse("incentives:manage")))
    return [
        {"key": k, "label": label, "url": url, "current": k == current} for k, label, url in tabs
    ]


def _volunteering_url() -> str:
    try:
        return reverse("volunteering:mine")
    except NoReverseMatch:
        return ""


def _cause(t: Transfer, *, own: bool, shown: causes.Shown | None = None) -> dict:
    """What earned (or spent) the points, with a link where there is a page for it.

    A reversal shows the cause of the transfer it reverses. A private cause (an
    anonymous report) reads the same to everybody but its person, who gets ``shown``
    (``causes.resolve``, asked for their own statement only)."""
    source = t.reverses if t.kind == Transfer.Kind.REVERSAL and t.reverses else t
    url, text = "", source.cause_ref or source.cause_id
    if source.private_cause:
        text = causes.neutral_text()
        if own and shown is not None:
            text = _("My anonymous report No. %(number)s") % {"number": shown.ref}
            url = shown.url
    elif source.cause_type == CauseType.EVENT:
        # A rework deduction's cause is "<event>:<transition>".
        event_id = source.cause_id.split(":", 1)[0]
        if event_id.isdigit():
            url = reverse("events:detail", args=[int(event_id)])
        text = _("No. %(number)s") % {"number": source.cause_ref or event_id}
    elif source.cause_type == CauseType.ACTIVITY and own:
        url = _volunteering_url()
    return {
        "type": source.cause_type,
        "label": source.get_cause_type_display(),
        "text": text,
        "url": url,
    }


def _month_nav(period, value: str, today) -> dict:
    this_month = today.replace(day=1)
    return {
        "value": value,
        "previous": forms.previous_month(period.start).strftime("%Y-%m"),
        "next": forms.next_month(period.start).strftime("%Y-%m"),
        "has_next": period.start < this_month,
        "is_current": period.start == this_month,
        "start": period.start,
        "last": period.last,
    }


def _statement_context(
    person,
    *,
    month: str | None,
    own: bool,
    staff=None,
    error: dict | None = None,
    bound=None,
) -> tuple[dict, int]:
    """A person's statement for one month: balances, lines with causes and running totals.

    ``staff``: the member of staff reading it, who gets a reverse form on each
    award or deduction they may correct that is not reversed yet.
    """
    today = timezone.localdate()
    context: dict = {"person": person, "balances": selectors.balances(person), "error": error}
    try:
        period, value = forms.month_period(month, today=today)
    except ValueError as exc:
        context.update(month_error=str(exc), statement=None, month=None, rows=[])
        return context, 400
    statement = selectors.statement(person, start=period.start, end=period.end)
    done = selectors.reversed_ids([line.transfer.pk for line in statement.lines])
    # Which of the person's anonymous reports earned what: for their own eyes only.
    shown = selectors.own_private_causes(person, statement) if own else {}
    rows = []
    for line in statement.lines:
        t = line.transfer
        reversible = (
            staff is not None
            and t.kind in REVERSIBLE
            and t.pk not in done
            and permissions.can(staff, "manage", t.area)
        )
        form = None
        if reversible:
            if bound is not None and bound[0] == t.pk:
                form = bound[1]
            else:
                form = forms.ReasonForm(initial={"month": value}, auto_id=f"id_t{t.pk}_%s")
        rows.append(
            {
                "transfer": t,
                "kind_label": t.get_kind_display(),
                "rule_label": RuleKind(t.rule).label if t.rule in RuleKind.values else "",
                "bucket_label": t.get_bucket_display() if t.bucket else "",
                "cause": _cause(t, own=own, shown=shown.get(t.pk)),
                "balance": line.balance,
                "reversed": t.pk in done,
                "form": form,
            }
        )
    context.update(
        statement=statement,
        rows=rows,
        month=_month_nav(period, value, today),
        month_error="",
    )
    return context, 200


def _page(request: HttpRequest, qs, size: int, param: str = "page") -> dict:
    """One page of ``qs`` (``?<param>=``; a bad number shows the nearest page) and the
    query string of every other parameter, for the pager's links."""
    page = Paginator(qs, size).get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    return {"page": page, "param": param, "query": params.urlencode()}


def _back_to(name: str, **params) -> HttpResponse:
    url = reverse(name, kwargs=params.pop("kwargs", None))
    query = {k: v for k, v in params.items() if v}
    return redirect(url + ("?" + urlencode(query) if query else ""))


# ---------------------------------------------------------------------------
# My points


@never_cache
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """我的积分: the three buckets and the total, and this month's (or ?month=) statement."""
    user = request.user
    context, status = _statement_context(user, month=request.GET.get("month"), own=True)
    context.update(tabs=_tabs(user, "home"), buckets=_bucket_tiles(context["balances"]))
    return render(request, "incentives/home.html", context, status=status)


def _bucket_tiles(balances) -> list[dict]:
    return [
        {"key": "routine", "label": Bucket.ROUTINE.label, "points": balances.routine},
        {"key": "emergency", "label": Bucket.EMERGENCY.label, "points": balances.emergency},
        {"key": "other", "label": Bucket.OTHER.label, "points": balances.other},
    ]


# ---------------------------------------------------------------------------
# Rewards and my redemptions


def _rewards_page(
    request: HttpRequest,
    *,
    bound: tuple[int, forms.RedeemForm] | None = None,
    error: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    balances = selectors.balances(user)
    filters = forms.CatalogueFilterForm(request.GET or None)
    f = filters.filters()
    catalogue = selectors.filter_rewards(
        selectors.rewards_for(user),
        q=f["q"],
        kind=f["kind"],
        max_cost=balances.total if f["affordable"] else None,
    ).order_by("cost", "name", "pk")
    pager = _page(request, catalogue, CATALOGUE_PAGE)
    rows = []
    for reward in pager["page"].object_list:
        if bound is not None and bound[0] == reward.pk:
            form = bound[1]
        else:
            form = forms.RedeemForm(auto_id=f"id_reward{reward.pk}_%s")
        rows.append(
            {
                "reward": reward,
                "form": form,
                "out_of_stock": reward.stock == 0,
                # Short of points: the button is disabled and says why.
                "short": max(0, reward.cost - balances.total),
            }
        )
    redemptions = list(selectors.my_redemptions(request.user)[:MY_REDEMPTIONS_SHOWN])
    return render(
        request,
        "incentives/rewards.html",
        {
            "tabs": _tabs(user, "rewards"),
            "balances": balances,
            "filters": filters,
            "filtered": any(f.values()),
            "pager": pager,
            "rows": rows,
            "redemptions": redemptions,
            "error": error,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def rewards(request: HttpRequest) -> HttpResponse:
    return _rewards_page(request)


@never_cache
@login_required
@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    reward = selectors.get_reward_for(request.user, pk)
    form = forms.RedeemForm(request.POST, auto_id=f"id_reward{reward.pk}_%s")
    if not form.is_valid():
        return _rewards_page(request, bound=(reward.pk, form), status=400)
    done = attempt(
        request,
        services.redeem,
        form=form,
        user=request.user,
        reward=reward,
        quantity=form.cleaned_data["quantity"],
        success=lambda done: (
            _(
                "Redeemed %(reward)s × %(quantity)d for %(points)d points."
                " Collect it where it is offered."
            )
            % {"reward": reward.name, "quantity": done.quantity, "points": done.points}
        ),
    )
    if not done:
        return _rewards_page(request, bound=(reward.pk, form), status=done.status)
    return redirect("incentives:rewards")


@never_cache
@login_required
@require_POST
def cancel_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """The person cancels their own redemption before hand-over: points and stock come back."""
    redemption = selectors.get_my_redemption(request.user, pk)
    done = attempt(
        request,
        services.cancel_redemption,
        quiet=True,
        actor=request.user,
        redemption=redemption,
        reason="",
        success=_("Redemption cancelled; the points are back."),
    )
    if not done:
        error = {"redemption": redemption.pk, "message": done.message}
        return _rewards_page(request, error=error, status=done.status)
    return redirect("incentives:rewards")


# ---------------------------------------------------------------------------
# Leaderboard


def _leaderboard_query(request: HttpRequest):
    """(area, bucket, period, month value, error) of ``?area=&bucket=&month=``; 404 outside
    the user's scope, an error message for a bad bucket or month."""
    user = request.user
    code = request.GET.get("area", "").strip()
    area = selectors.points_area(user, code) if code else selectors.default_points_area(user)
    if area is None:
        raise Http404("No leaderboard.")
    error = ""
    bucket = request.GET.get("bucket", "").strip()
    if bucket == "all":
        bucket = ""
    if bucket and bucket not in Bucket.values:
        error = _("The bucket is routine, emergency or other.")
    period = value = None
    try:
        period, value = forms.month_period(request.GET.get("month"), today=timezone.localdate())
    except ValueError as exc:
        error = error or str(exc)
    return area, bucket, period, value, error


@never_cache
@login_required
@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Monthly top ten of an area (?area=), bucket (?bucket=) and month (?month=)."""
    user = request.user
    area, bucket, period, value, error = _leaderboard_query(request)
    status = 400 if error else 200
    today = timezone.localdate()
    month = _month_nav(period, value, today) if period is not None else None
    ranking = []
    if not error:
        ranking = selectors.leaderboard(
            area,
            start=period.start,
            end=period.end,
            bucket=bucket or None,
            limit=LEADERBOARD_LIMIT,
        )
    return render(
        request,
        "incentives/leaderboard.html",
        {
            "tabs": _tabs(user, "leaderboard"),
            "area": area,
            "areas": selectors.points_area_choices(user, area),
            "bucket": bucket,
            "buckets": [("", _("All buckets")), *Bucket.choices],
            "month": month,
            "error": error,
            "ranking": ranking,
            "limit": LEADERBOARD_LIMIT,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def leaderboard_export(request: HttpRequest) -> HttpResponse:
    """The same leaderboard, everyone in it rather than the top ten, as an .xlsx."""
    area, bucket, period, _value, error = _leaderboard_query(request)
    if error:
        return HttpResponse(error + "\n", status=400, content_type="text/plain; charset=utf-8")
    ranking = selectors.leaderboard(
        area, start=period.start, end=period.end, bucket=bucket or None, limit=EXPORT_LIMIT
    )
    data = exports.leaderboard_workbook(area, period, bucket, ranking)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, exports.leaderboard_filename(area, period, bucket)
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------
# Piece rates


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    """A district's piece rates; its administrators change them here (for later work only)."""
    user = request.user
    districts = selectors.own_districts(user)
    code = request.GET.get("district", "").strip()
    if not code and districts:
        code = districts[0].code
    context = {"tabs": _tabs(user, "rules"), "districts": districts, "district": None}
    if not code:
        return render(request, "incentives/rules.html", context)
    district = selectors.rules_district(user, code)
    can_edit = permissions.can(user, "set_rules", district)
    bound, error, status = None, None, 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in RuleKind.values:
            error, status = _("Unknown kind of work."), 400
        else:
            form = forms.RuleForm(request.POST, auto_id=f"id_{kind}_%s")
            if form.is_valid():
                data = form.cleaned_data
                done = attempt(
                    request,
                    services.set_rule,
                    form=form,
                    actor=user,
                    district=district,
                    kind=kind,
                    bucket=data["bucket"],
                    points=data["points"],
                    daily_cap=data["daily_cap"],
                    active=data["active"],
                    success=_("%(work)s: the new rate applies to work done from now on.")
                    % {"work": RuleKind(kind).label},
                )
                if done:
                    return _back_to("incentives:rules", district=district.code)
                status = done.status
            else:
                status = 400
            bound = (kind, form)
            error = error or _("The rate was not changed; see the form below.")
    rows = []
    for rate in rules.rates(district.pk):
        form = None
        if can_edit:
            if bound is not None and bound[0] == rate.kind:
                form = bound[1]
            else:
                form = forms.RuleForm(
                    initial={
                        "kind": rate.kind,
                        "bucket": rate.bucket,
                        "points": rate.points,
                        "daily_cap": rate.daily_cap,
                        "active": rate.active,
                    },
                    auto_id=f"id_{rate.kind}_%s",
                )
        rows.append(
            {
                "rate": rate,
                "label": RuleKind(rate.kind).label,
                "bucket_label": Bucket(rate.bucket).label,
                "deduction": rate.kind in DEDUCTION_RULES,
                "form": form,
                "open": bound is not None and bound[0] == rate.kind,
            }
        )
    context.update(district=district, can_edit=can_edit, rows=rows, error=error)
    return render(request, "incentives/rules.html", context, status=status)


# ---------------------------------------------------------------------------
# Staff: rewards, hand-over, people


def _require_staff(user) -> None:
    permissions.require_points_staff(user)


def _manage_page(
    request: HttpRequest,
    *,
    error: dict | None = None,
    bound: tuple[int, forms.ReasonForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    staff = request.user
    search = forms.PersonSearchForm(request.GET or None)
    found, searched = [], False
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        searched = True
        found = [
            {"user": u, "name": selectors.display_name(u)}
            for u in selectors.search_people(staff, search.cleaned_data["q"])
        ]
    managed = selectors.managed_redemptions(staff)
    waiting_filter = forms.WaitingFilterForm(request.GET or None, prefix="w")
    waiting_qs = selectors.filter_redemptions(
        managed.filter(status=Redemption.Status.REDEEMED), **waiting_filter.filters()
    ).order_by("created_at", "pk")
    waiting_pager = _page(request, waiting_qs, WAITING_PAGE, "w-page")
    waiting = []
    for r in waiting_pager["page"].object_list:
        form = bound[1] if bound is not None and bound[0] == r.pk else None
        waiting.append(
            {
                "redemption": r,
                "name": selectors.display_name(r.user),
                "form": form or forms.ReasonForm(auto_id=f"id_red{r.pk}_%s"),
                "open": form is not None,
            }
        )
    handed = [
        {"redemption": r, "name": selectors.display_name(r.user)}
        for r in managed.filter(status=Redemption.Status.HANDED_OVER).order_by(
            "-handed_over_at", "-pk"
        )[:HANDED_OVER_SHOWN]
    ]
    reward_filter = forms.ManagedRewardFilterForm(request.GET or None, prefix="r")
    rewards_qs = selectors.filter_rewards(
        selectors.managed_rewards(staff), **reward_filter.filters()
    ).order_by("area_path", "cost", "pk")
    rewards_pager = _page(request, rewards_qs, MANAGED_REWARDS_PAGE, "r-page")
    return render(
        request,
        "incentives/manage.html",
        {
            "tabs": _tabs(staff, "manage"),
            "rewards": list(rewards_pager["page"].object_list),
            "rewards_pager": rewards_pager,
            "reward_filter": reward_filter,
            "waiting": waiting,
            "waiting_pager": waiting_pager,
            "waiting_filter": waiting_filter,
            "handed": handed,
            "search": search,
            "found": found,
            "searched": searched,
            "error": error,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    return _manage_page(request)


@never_cache
@login_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    redemption = selectors.get_managed_redemption(request.user, pk)
    done = attempt(
        request,
        services.hand_over,
        quiet=True,
        actor=request.user,
        redemption=redemption,
        success=lambda _done: (
            _("%(reward)s handed over to %(name)s.")
            % {"reward": redemption.reward.name, "name": selectors.display_name(redemption.user)}
        ),
    )
    if not done:
        error = {"redemption": redemption.pk, "message": done.message}
        return _manage_page(request, error=error, status=done.status)
    return redirect("incentives:manage")


@never_cache
@login_required
@require_POST
def cancel_managed(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff cancel a redemption in their scope, with a reason; points and stock come back."""
    _require_staff(request.user)
    redemption = selectors.get_managed_redemption(request.user, pk)
    form = forms.ReasonForm(request.POST, auto_id=f"id_red{redemption.pk}_%s")
    if not form.is_valid():
        error = {"redemption": redemption.pk, "message": _("Check the reason.")}
        return _manage_page(request, error=error, bound=(redemption.pk, form), status=400)
    done = attempt(
        request,
        services.cancel_redemption,
        form=form,
        actor=request.user,
        redemption=redemption,
        reason=form.cleaned_data["reason"],
        success=_("Redemption cancelled; the points and the stock are back."),
    )
    if not done:
        error = {"redemption": redemption.pk, "message": done.message}
        return _manage_page(request, error=error, bound=(redemption.pk, form), status=done.status)
    return redirect("incentives:manage")


def _reward_form_page(request: HttpRequest, reward=None) -> HttpResponse:
    staff = request.user
    areas = list(selectors.reward_areas(staff))
    if reward is not None and all(a.pk != reward.area_id for a in areas):
        areas.append(reward.area)
    by_code = {a.code: a for a in areas}
    status = 200
    if request.method == "POST":
        form = forms.RewardForm(request.POST, areas=areas)
        if form.is_valid():
            data = form.cleaned_data
            done = attempt(
                request,
                services.save_reward,
                form=form,
                actor=staff,
                area=by_code[data["area"]],
                name=data["name"],
                kind=data["kind"],
                cost=data["cost"],
                stock=data["stock"],
                description=data["description"],
                active=data["active"],
                reward=reward,
                success=lambda saved: _("Reward %(name)s saved.") % {"name": saved.name},
            )
            if done:
                return redirect("incentives:manage")
            status = done.status
        else:
            status = 400
    else:
        initial = forms.RewardForm.initial_for(reward) if reward is not None else {}
        if reward is None and areas:
            initial["area"] = areas[0].code
        form = forms.RewardForm(initial=initial, areas=areas)
    return render(
        request,
        "incentives/reward_form.html",
        {"tabs": _tabs(staff, "manage"), "form": form, "reward": reward},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    return _reward_form_page(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reward_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    return _reward_form_page(request, selectors.get_managed_reward(request.user, pk))


def _person_page(
    request: HttpRequest,
    person,
    *,
    month: str | None,
    error: dict | None = None,
    bound=None,
    status: int = 200,
) -> HttpResponse:
    staff = request.user
    context, month_status = _statement_context(
        person, month=month, own=person.pk == staff.pk, staff=staff, error=error, bound=bound
    )
    context.update(
        tabs=_tabs(staff, "manage"),
        name=selectors.display_name(person),
        buckets=_bucket_tiles(context["balances"]),
    )
    return render(request, "incentives/person.html", context, status=max(status, month_status))


@never_cache
@login_required
@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's statement for staff in scope, with a reverse form on each correctable line."""
    _require_staff(request.user)
    found = selectors.get_person(request.user, user_id)
    return _person_page(request, found, month=request.GET.get("month"))


@never_cache
@login_required
@require_POST
def reverse_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    transfer = selectors.get_transfer(request.user, pk)
    form = forms.ReasonForm(request.POST, auto_id=f"id_t{transfer.pk}_%s")
    month = request.POST.get("month", "")
    target = transfer.user
    if form.is_valid():
        month = form.cleaned_data["month"]
        done = attempt(
            request,
            services.reverse_transfer,
            form=form,
            actor=request.user,
            transfer=transfer,
            reason=form.cleaned_data["reason"],
            success=_("Reversed: %(points)+d points.") % {"points": -transfer.points},
        )
        status, message = done.status, done.message
        if done:
            try:
                selectors.get_person(request.user, target.pk)
            except Http404:
                return redirect("incentives:manage")
            return _back_to("incentives:person", kwargs={"user_id": target.pk}, month=month)
    else:
        status, message = 400, _("Check the reason.")
    error = {"transfer": transfer.pk, "message": message}
    try:
        selectors.get_person(request.user, target.pk)
    except Http404:
        return _manage_page(request, error=error, status=status)
    return _person_page(
        request,
        target,
        month=month,
        error=error,
        bound=(transfer.pk, form),
        status=status,
    )
