"""Pages of the organisations registry. Thin: parse, call a service or selector, render.

- Staff (``permissions`` "view"/"manage"): the registry, the form to register, an
  organisation's page with its forms (members, stage, support, activities, demands).
- Anyone: an organisation's public page, a community's page (organisations and stage
  counts; phone-first).
- Those who read an area's statistics: the incubation funnel of a street or district.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import constants as c
from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.lists import subtree_q
from shezhi.core.pages import attempt
from shezhi.core.periods import Period
from shezhi.core.scope import held_areas, sees_everything, top_areas
from shezhi.demands.models import DemandGroup
from shezhi.households import selectors as household_selectors
from shezhi.lists import selectors as list_selectors
from shezhi.people.models import Person
from shezhi.places.models import ServicePost
from shezhi.volunteering.models import VolunteerActivity

from . import permissions, selectors, services
from .forms import LinkForm, MemberForm, OrganisationForm, StageForm, SupportForm
from .models import ORDER, Kind, Stage

PAGE = 100


def _communities(user) -> list[Area]:
    """The communities where ``user`` registers organisations."""
    qs = Area.objects.defer("boundary").filter(level=c.COMMUNITY)
    if not sees_everything(user):
        q = permissions.scope(user, "manage", field="path")
        qs = qs.filter(q) if q is not None else qs
    return list(qs.order_by("code")[:500])


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can(user, "view"):
        raise Http404("No registry here.")
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    orgs = list(
        selectors.registry(user, stage=stage)
        .select_related("area")
        .order_by("area_path", "name")[:PAGE]
    )
    counts = selectors.member_counts([o.pk for o in orgs])
    tops = top_areas(held_areas(user, permissions.ACTIONS["view"]))
    return render(
        request,
        "organisations/registry.html",
        {
            "rows": [(o, counts[o.pk]) for o in orgs],
            "stage": stage,
            "stages": Stage.choices,
            "tops": tops,
            "can_manage": permissions.can(user, "manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can(user, "manage"):
        raise Http404("No registry here.")
    areas = _communities(user)
    form = OrganisationForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(a for a in areas if a.code == data["area"])
        done = attempt(
            request,
            services.register_organisation,
            actor=user,
            form=form,
            success=_("Organisation registered."),
            kind=data["kind"],
            name=data["name"],
            area=area,
            description=data["description"],
            founded_on=data["founded_on"],
        )
        if done:
            return redirect("organisations:detail", pk=done.value.pk)
    return render(
        request,
        "organisations/new.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _options(org):
    community = services.community_path(org.area)
    posts = ServicePost.objects.filter(subtree_q("area_path", community), active=True).order_by(
        "name"
    )[:100]
    activities = VolunteerActivity.objects.filter(subtree_q("area_path", community)).order_by(
        "-starts_at"
    )[:100]
    groups = DemandGroup.objects.filter(area_path=community, status="open").order_by("-id")[:100]
    return list(posts), list(activities), list(groups)


def _detail_context(request, org, forms=None) -> dict:
    posts, activities, groups = _options(org)
    forms = forms or {}
    return {
        "org": org,
        "members": selectors.member_rows(org),
        "moves": list(org.moves.order_by("on", "pk")),
        "supports": list(org.supports.select_related("post")),
        "held": list(org.activities.select_related("activity").order_by("-activity__starts_at")),
        "taken": list(org.demands.select_related("group").order_by("-taken_on")),
        # The needs-list items it took on: items matched to the resources it offers.
        "projects": list(list_selectors.taken_on_by(org)[:50]),
        "offered": list(list_selectors.offered_by(org)[:50]),
        "member_form": forms.get("member") or MemberForm(auto_id=ids("member")),
        "stage_form": forms.get("stage")
        or StageForm(initial={"stage": _next(org.stage)}, auto_id=ids("stage")),
        "support_form": forms.get("support") or SupportForm(posts=posts, auto_id=ids("support")),
        "activity_form": forms.get("activity")
        or LinkForm(options=_activity_options(activities), auto_id=ids("activity")),
        "demand_form": forms.get("demand")
        or LinkForm(options=[(g.pk, g.title) for g in groups], auto_id=ids("demand")),
        "can_manage": permissions.can(request.user, "manage", org),
        "stage_index": ORDER.index(org.stage),
        "stage_order": [(s, Stage(s).label) for s in ORDER],
    }


def ids(key: str) -> str:
    """Field ids unique on a page of several forms (``auto_id``)."""
    return f"{key}-%s"


def _activity_options(activities) -> list[tuple[int, str]]:
    return [(a.pk, f"{a.title} {timezone.localtime(a.starts_at):%Y-%m-%d}") for a in activities]


def _next(stage: str) -> str:
    i = ORDER.index(stage)
    return ORDER[min(i + 1, len(ORDER) - 1)]


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.get_organisation(request.user, pk)
    return render(request, "organisations/detail.html", _detail_context(request, org))


def _managed(request, pk):
    org = selectors.get_organisation(request.user, pk)
    if not permissions.can(request.user, "manage", org):
        raise Http404("No such organisation.")
    return org


def _rerender(request, org, key, form):
    return render(
        request,
        "organisations/detail.html",
        _detail_context(request, org, {key: form}),
        status=400,
    )


def _find_member(user, id_number: str):
    """The resident (else the person of the workforce) with this ID number in scope."""
    try:
        return household_selectors.resident_by_id_number(user, id_number), None
    except Http404:
        pass
    index = pd.blind_index(pd.ID_NUMBER, id_number)
    person = Person.objects.select_related("area").filter(id_number_index=index).first()
    if index and person is not None:
        return None, person
    return None, None


# The organisation page's forms, one row each: the form (bound to the POST, with the
# options the page offered), the service it calls and how the form's data become the
# service's arguments (None: the form got an error instead). One handler (``_submit``)
# runs them all: valid → the service (a refusal next to its field) → back to the page;
# else the page again, 400, this form showing its errors.
@dataclass(frozen=True)
class _FormAction:
    key: str  # the form's name on the page (its context entry and field ids)
    service: Callable[..., Any]
    success: Any  # the flash message (lazy: translated when shown)
    form: Callable[[HttpRequest, Any], forms.Form]  # (request, options) → bound form
    arguments: Callable[[HttpRequest, Any, dict], dict | None]  # (request, options, data)
    fields: dict = field(default_factory=dict)  # the service's field → the form's
    options: Callable[[Any], Any] = lambda org: None  # what the form offers
    # What the form shows when ``arguments`` found nobody: (its field, the message).
    not_found: tuple[str, Any] | None = None


def _member_arguments(request, _options, data):
    resident, person = _find_member(request.user, data["id_number"])
    if resident is None and person is None:
        return None
    return {
        "resident": resident,
        "person": person,
        "role": data["role"],
        "joined_on": data["joined_on"],
    }


def _picked(choices, pk):
    return next((c for c in choices if c.pk == pk), None)


MEMBER = _FormAction(
    key="member",
    service=services.add_member,
    success=gettext_lazy("Member added."),
    form=lambda request, _o: MemberForm(request.POST, auto_id=ids("member")),
    arguments=_member_arguments,
    fields={"resident": "id_number", "person": "id_number"},
    not_found=(
        "id_number",
        gettext_lazy("No resident or person with this ID number in your areas."),
    ),
)
STAGE = _FormAction(
    key="stage",
    service=services.move_stage,
    success=gettext_lazy("Stage moved."),
    form=lambda request, _o: StageForm(request.POST, auto_id=ids("stage")),
    arguments=lambda _r, _o, data: {
        "to_stage": data["stage"],
        "on": data["on"],
        "reason": data["reason"],
    },
)
SUPPORT = _FormAction(
    key="support",
    service=services.record_support,
    success=gettext_lazy("Support recorded."),
    options=lambda org: _options(org)[0],
    form=lambda request, posts: SupportForm(request.POST, posts=posts, auto_id=ids("support")),
    arguments=lambda _r, posts, data: {
        "kind": data["kind"],
        "on": data["on"],
        "post": _picked(posts, data["post"]),
        "amount_fen": data["amount_yuan"],
        "note": data["note"],
    },
    fields={"amount_fen": "amount_yuan"},
)
ACTIVITY = _FormAction(
    key="activity",
    service=services.link_activity,
    success=gettext_lazy("Activity linked."),
    options=lambda org: _options(org)[1],
    form=lambda request, activities: LinkForm(
        request.POST, options=_activity_options(activities), auto_id=ids("activity")
    ),
    arguments=lambda _r, activities, data: {"activity": _picked(activities, data["target"])},
    fields={"activity": "target"},
)
DEMAND = _FormAction(
    key="demand",
    service=services.take_on_demand,
    success=gettext_lazy("Demand taken on."),
    options=lambda org: _options(org)[2],
    form=lambda request, groups: LinkForm(
        request.POST, options=[(g.pk, g.title) for g in groups], auto_id=ids("demand")
    ),
    arguments=lambda _r, groups, data: {"group": _picked(groups, data["target"])},
    fields={"group": "target"},
)


def _submit(request: HttpRequest, pk: int, action: _FormAction) -> HttpResponse:
    org = _managed(request, pk)
    options = action.options(org)
    form = action.form(request, options)
    if form.is_valid():
        arguments = action.arguments(request, options, form.cleaned_data)
        if arguments is None:
            form.add_error(*action.not_found)
        else:
            done = attempt(
                request,
                action.service,
                actor=request.user,
                form=form,
                fields=action.fields,
                success=str(action.success),
                organisation=org,
                **arguments,
            )
            if done:
                return redirect("organisations:detail", pk=org.pk)
    return _rerender(request, org, action.key, form)


@login_required
@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk, MEMBER)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    org = _managed(request, pk)
    member = selectors.get_member(org, member_id)
    attempt(
        request,
        services.end_membership,
        actor=request.user,
        success=_("The member has left."),
        member=member,
    )
    return redirect("organisations:detail", pk=org.pk)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk, STAGE)


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk, SUPPORT)


@login_required
@require_POST
def link_activity(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk, ACTIVITY)


@login_required
@require_POST
def take_on(request: HttpRequest, pk: int) -> HttpResponse:
    return _submit(request, pk, DEMAND)


@require_GET
def public(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.get_public_organisation(pk)
    return render(
        request,
        "organisations/public.html",
        {
            "org": org,
            "members": selectors.member_counts([org.pk])[org.pk],
            "leader": selectors.leader_names([org.pk]).get(org.pk, ""),
            "activities": org.activities.count(),
            "demands": org.demands.count(),
            "stage_index": ORDER.index(org.stage),
            "stage_order": [(s, Stage(s).label) for s in ORDER],
        },
    )


@require_GET
def community(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.public_community(code)
    rows = selectors.community_organisations(area)
    counts = selectors.stage_counts(area.path)
    return render(
        request,
        "organisations/community.html",
        {
            "area": area,
            "rows": rows,
            "stage_counts": [(s, Stage(s).label, counts[s]) for s in ORDER],
            "total": sum(counts.values()),
            "kinds": dict(Kind.choices),
        },
    )


@login_required
@require_GET
def funnel(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.get_count_area(request.user, code)
    try:
        period = Period.of(
            request.GET.get("from"), request.GET.get("to"), today=timezone.localdate()
        )
    except ValueError as e:
        period = selectors.default_period(timezone.localdate())
        error = str(e)
    else:
        error = ""
    children = (
        list(area_selectors.children(request.user, area).defer("boundary").order_by("code"))
        if area.level in (c.DISTRICT, c.STREET)
        else []
    )
    f = selectors.funnel(area, period, children)
    top = max(f.reached.values()) or 1
    forward = f.forward
    forces = selectors.forces(area)
    return render(
        request,
        "organisations/funnel.html",
        {
            "area": area,
            "funnel": f,
            "error": error,
            "bars": [
                (
                    s,
                    Stage(s).label,
                    f.stages[s],
                    f.reached[s],
                    round(100 * f.reached[s] / top),
                    forward[s],
                )
                for s in ORDER
            ],
            "children": [
                (child, [stages[s] for s in ORDER], sum(stages.values()))
                for child, stages in f.children
            ],
            "stage_labels": [Stage(s).label for s in ORDER],
            "forces": forces,
            "force_rows": [(Person.ForceType(k).label, forces[k]) for k in selectors.FORCE_KINDS],
        },
        status=400 if error else 200,
    )
