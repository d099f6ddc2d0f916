"""Pages for volunteers (phone-first) and for the staff of service posts.

Thin views: forms parse, ``services`` decide and write, ``selectors`` read and
scope. A service's refusal is shown on the page it came from, nothing written.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.lists import page_of
from shezhi.core.pages import attempt

from . import permissions, qr, selectors, services
from .forms import ActivityForm
from .models import Signup, VolunteerActivity

# Activities on a page of the staff's list.
MANAGE_PAGE = 200


def _float(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if abs(out) <= 180 else None


def _staff_required(request: HttpRequest) -> None:
    if not permissions.can(request.user, "manage"):
        raise Http404


# ---------------------------------------------------------------------------
# Volunteers


@require_GET
def activity_list(request: HttpRequest):
    lng, lat = _float(request.GET.get("lng")), _float(request.GET.get("lat"))
    near = (lng, lat) if lng is not None and lat is not None and abs(lat) <= 90 else None
    rows = selectors.upcoming(near=near)
    mine = set()
    if request.user.is_authenticated:
        mine = set(
            selectors.my_signups(request.user)
            .filter(activity__in=rows)
            .values_list("activity_id", flat=True)
        )
    return render(
        request,
        "volunteering/list.html",
        {
            "rows": rows,
            "mine": mine,
            "near": near,
            "can_manage": permissions.can(request.user, "manage"),
        },
    )


@require_GET
def activity_detail(request: HttpRequest, pk: int):
    activity = selectors.get_activity(pk)
    now = timezone.now()
    signup = selectors.current_signup(request.user, activity)
    can_manage = permissions.can(request.user, "manage", activity.post)
    return render(
        request,
        "volunteering/detail.html",
        {
            "activity": activity,
            "signup": signup,
            "ended": activity.ends_at <= now,
            "started": activity.starts_at <= now,
            "published": activity.status == VolunteerActivity.Status.PUBLISHED,
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def sign_up(request: HttpRequest, pk: int):
    activity = selectors.get_activity(pk)
    attempt(
        request,
        services.sign_up,
        user=request.user,
        activity=activity,
        success=_("You have signed up. See you there!"),
    )
    return redirect("volunteering:detail", pk=activity.pk)


@login_required
@require_POST
def cancel_signup(request: HttpRequest, pk: int):
    activity = selectors.get_activity(pk)
    attempt(
        request,
        services.cancel_signup,
        user=request.user,
        activity=activity,
        success=_("Your sign-up is cancelled and your place given back."),
    )
    return redirect("volunteering:detail", pk=activity.pk)


@login_required
@require_GET
def mine(request: HttpRequest):
    now = timezone.now()
    rows = list(selectors.my_signups(request.user)[:200])
    return render(
        request,
        "volunteering/mine.html",
        {
            "upcoming": [s for s in rows if s.activity.ends_at > now and not s.checked_out_at],
            "past": [s for s in rows if s.activity.ends_at <= now or s.checked_out_at],
            "totals": selectors.my_totals(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str):
    """GET: what scanning does now (check in or out), one button; POST: do it."""
    context: dict = {"token": token}
    if request.method == "POST":
        expect = request.POST.get("action") or None
        done = attempt(
            request, services.scan, quiet=True, user=request.user, token=token, expect=expect
        )
        if done:
            context.update(result=done.value, done=True)
    else:
        done = attempt(request, services.preview_scan, quiet=True, user=request.user, token=token)
        if done:
            context.update(result=done.value, done=done.value.already)
    if not done:
        context.update(error=done.message, code=done.error.code)
    return render(request, "volunteering/scan.html", context, status=done.status)


# ---------------------------------------------------------------------------
# Staff


@login_required
@require_GET
def manage(request: HttpRequest):
    _staff_required(request)
    when = request.GET.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        when = "upcoming"
    order = selectors.UPCOMING_ORDER if when == "upcoming" else selectors.PAST_ORDER
    # 200 a page, the pages after the first by cursor: a year of past activities
    # costs what a week does.
    page = page_of(
        selectors.managed_activities(request.user, when=when).defer(*selectors.POST_UNSHOWN),
        request.GET,
        order=order,
        per_page=MANAGE_PAGE,
        cap=MANAGE_PAGE,
    )
    return render(
        request,
        "volunteering/manage_list.html",
        {"rows": page.object_list, "page": page, "when": when},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest):
    _staff_required(request)
    posts = selectors.managed_posts(request.user).filter(active=True)
    initial = {}
    if request.GET.get("post"):
        initial["post"] = selectors.get_managed_post(request.user, request.GET["post"])
    form = ActivityForm(request.POST or None, posts=posts, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            services.publish_activity,
            form=form,
            actor=request.user,
            post=data["post"],
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            slots=data["slots"],
            success=_("The activity is published."),
        )
        if done:
            return redirect("volunteering:manage_detail", pk=done.value.pk)
    return render(
        request,
        "volunteering/manage_form.html",
        {"form": form, "editing": None, "no_posts": not posts.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int):
    activity = selectors.get_managed_activity(request.user, pk)
    initial = {
        "title": activity.title,
        "description": activity.description,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "slots": activity.slots,
    }
    form = ActivityForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            services.edit_activity,
            form=form,
            actor=request.user,
            activity=activity,
            success=_("The activity is updated."),
            **data,
        )
        if done:
            return redirect("volunteering:manage_detail", pk=activity.pk)
    return render(request, "volunteering/manage_form.html", {"form": form, "editing": activity})


@login_required
@require_GET
def manage_detail(request: HttpRequest, pk: int):
    activity = selectors.get_managed_activity(request.user, pk)
    now = timezone.now()
    rows = selectors.roster(activity)
    current = [r for r in rows if r.status == Signup.Status.SIGNED_UP]
    return render(
        request,
        "volunteering/manage_detail.html",
        {
            "activity": activity,
            "rows": rows,
            "checked_in": sum(1 for r in current if r.checked_in_at),
            "checked_out": sum(1 for r in current if r.checked_out_at),
            "signed_up": len(current),
            "ended": activity.ends_at <= now,
            "check_in_open": activity.starts_at - services.CHECK_IN_EARLY <= now < activity.ends_at,
            "published": activity.status == VolunteerActivity.Status.PUBLISHED,
        },
    )


@login_required
@require_POST
def manage_cancel(request: HttpRequest, pk: int):
    activity = selectors.get_managed_activity(request.user, pk)
    attempt(
        request,
        services.cancel_activity,
        actor=request.user,
        activity=activity,
        reason=request.POST.get("reason", ""),
        success=_("The activity is cancelled; the volunteers are told."),
    )
    return redirect("volunteering:manage_detail", pk=activity.pk)


@login_required
@require_POST
def manage_attendance(request: HttpRequest, pk: int, signup_id: int, action: str):
    activity = selectors.get_managed_activity(request.user, pk)
    signup = selectors.get_managed_signup(request.user, activity, signup_id)
    steps = {"check-in": services.staff_check_in, "check-out": services.staff_check_out}
    if action not in steps:
        raise Http404
    attempt(
        request,
        steps[action],
        actor=request.user,
        signup=signup,
        success=_("Attendance recorded."),
    )
    return redirect("volunteering:manage_detail", pk=activity.pk)


@never_cache
@login_required
@require_GET
def manage_qr(request: HttpRequest, pk: int):
    """The full-screen code to show at the post; refreshed by volunteering/qr.js."""
    activity = selectors.get_managed_activity(request.user, pk)
    code = qr.current_code(request, activity)
    return render(
        request,
        "volunteering/qr.html",
        {
            "activity": activity,
            "code": code,
            "refresh_seconds": services.refresh_seconds(),
            "published": activity.status == VolunteerActivity.Status.PUBLISHED,
        },
    )


@never_cache
@login_required
@require_GET
def manage_qr_current(request: HttpRequest, pk: int):
    activity = selectors.get_managed_activity(request.user, pk)
    code = qr.current_code(request, activity)
    return JsonResponse(
        {
            "url": code.url,
            "svg": code.svg_data_uri,
            "expires_at": code.expires_at.isoformat(),
            "refresh_seconds": services.refresh_seconds(),
        }
    )
