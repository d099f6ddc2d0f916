"""The household pages: a worker's list of their households (phone first), a household,
a resident (masked; reveals audited), and an area's overview with counts by tag.

Thin views: forms parse, ``services`` decide and write, ``selectors`` read and scope.
Every object is fetched through a scoped selector: outside the user's scope it is a
404, like an id that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.core.lists import capped_count
from shezhi.core.pages import attempt

from . import permissions, selectors, services
from . import tags as tagset
from .forms import REVEAL_LABELS, HouseholdFilterForm, RevealForm, TagsForm
from .identity import age_on
from .masking import masked_name, masked_value
from .models import Household, Resident

PAGE_SIZE = 30


def _tags(codes) -> list[dict]:
    return [{"code": c, "label": tagset.LABELS[c]} for c in codes if c in tagset.LABELS]


# ---------------------------------------------------------------------------
# The worker's list


@require_GET
@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """我的住户: the households of the user's scope (a micro-grid worker: their micro-grid),
    searched by room or name, filtered by tag, 30 a page; names masked."""
    user = request.user
    code = request.GET.get("area", "").strip()
    if not permissions.can(user, "view"):
        # The read-only roles read an area's figures, not its households.
        if code:
            return redirect("households:overview", code=selectors.count_area(user, code).code)
        if permissions.can(user, "counts"):
            return redirect("households:overview_home")
        raise Http404("Not for you.")
    area = selectors.row_area(user, code) if code else selectors.home_area(user)
    form = HouseholdFilterForm(request.GET)
    filters = form.filters()
    qs = selectors.households(user, area=area, **filters)
    page = selectors.page_of(
        qs,
        selectors.HOUSEHOLD_ORDER,
        limit=PAGE_SIZE,
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
    )
    rows = [
        {
            "household": row.household,
            "head": masked_name(row.head.name) if row.head else "",
            "residents": row.residents,
            "tags": _tags(row.tags),
            "visit": row.visit,  # last visit and overdue (the visits app's marks)
        }
        for row in selectors.household_rows(page.items)
    ]
    return render(
        request,
        "households/list.html",
        {
            "area": area,
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "tag_choices": [{"code": t, "label": tagset.LABELS[t]} for t in tagset.PLAIN],
            "filtered": any(filters.values()),
            "can_count": area is not None and permissions.can(user, "counts", area),
            # Residents waiting for this worker to confirm who they are (binding requests).
            "bindings_waiting": (
                capped_count(selectors.pending_bindings(user))
                if permissions.can(user, "decide_binding")
                else 0
            ),
        },
    )


# ---------------------------------------------------------------------------
# A household


@require_GET
@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household(request.user, pk)
    today = timezone.localdate()
    reads_sensitive = permissions.can(request.user, "sensitive", household)
    residents = [
        {
            "resident": r,
            "name": selectors.shown_name(request.user, r, reads_sensitive=reads_sensitive),
            "age": age_on(r.birth_year, today),
            "phone": masked_value("phone", r.phone_last4),
            "tags": _tags(r.tag_list),
        }
        for r in selectors.household_residents(household)
    ]
    compound = household.building.compound
    people = [r["resident"] for r in residents]
    tags = sorted({t for r in people for t in r.tag_list if t in tagset.PLAIN})
    return render(
        request,
        "households/household.html",
        {
            "household": household,
            "compound": compound,
            "manager_phone": masked_value("phone", compound.property_manager_phone_last4),
            "residents": residents,
            "reads_sensitive": reads_sensitive,
            "visit": selectors.visit_marks({household.pk: tags}).get(household.pk),
        },
    )


# ---------------------------------------------------------------------------
# A resident


def _resident_context(request, resident: Resident, reveal_form, tags_form) -> dict:
    return {
        "resident": resident,
        "name": selectors.shown_name(request.user, resident),
        "household": resident.household,
        "age": age_on(resident.birth_year, timezone.localdate()),
        "phone": masked_value("phone", resident.phone_last4),
        "id_number": masked_value("id_number", resident.id_number_last4),
        "tags": _tags(resident.tag_list),
        "moves": list(selectors.moves_of(resident)),
        "reveal_form": reveal_form,
        "can_reveal": bool(reveal_form.fields["field"].choices),
        "tags_form": tags_form,
        "can_change": permissions.can(request.user, "change", resident),
        "reads_sensitive": permissions.can(request.user, "sensitive", resident),
    }


@require_GET
@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.get_resident(request.user, pk)
    reveal_form = RevealForm(user=request.user, resident=resident)
    tags_form = TagsForm(initial={"tags": resident.tag_list})
    return render(
        request,
        "households/resident.html",
        _resident_context(request, resident, reveal_form, tags_form),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """One phone, ID number or the sensitive tags in clear, once, with the reason recorded.

    A GET goes back to the resident's page: nothing shows in clear without a POST and a
    reason."""
    resident = selectors.get_resident(request.user, pk)
    if request.method != "POST":
        return redirect("households:resident", pk=resident.pk)
    form = RevealForm(request.POST, user=request.user, resident=resident)
    if form.is_valid():
        field = form.cleaned_data["field"]
        done = attempt(
            request,
            services.reveal,
            actor=request.user,
            resident=resident,
            field=field,
            reason=form.cleaned_data["reason"],
            form=form,
        )
        if done:
            value = done.value
            tags = _tags(tagset.decode(value)) if field == "sensitive_tags" else None
            return render(
                request,
                "households/revealed.html",
                {
                    "resident": resident,
                    "name": selectors.shown_name(request.user, resident),
                    "field": field,
                    "field_label": REVEAL_LABELS[field],
                    "value": value,
                    "tags": tags,
                    "reason": form.cleaned_data["reason"],
                },
            )
    tags_form = TagsForm(initial={"tags": resident.tag_list})
    return render(
        request,
        "households/resident.html",
        _resident_context(request, resident, form, tags_form),
        status=400,
    )


@login_required
@require_POST
def set_tags(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.get_resident(request.user, pk)
    form = TagsForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            services.set_tags,
            actor=request.user,
            resident=resident,
            tags=form.cleaned_data["tags"],
            success=_("Tags saved."),
        )
    else:
        messages.error(request, _("Those are not tags this page offers."))
    return redirect("households:resident", pk=resident.pk)


# ---------------------------------------------------------------------------
# Overview: counts by tag (every role over the area, read-only roles included)


@require_GET
@login_required
def overview_home(request: HttpRequest) -> HttpResponse:
    area = selectors.count_home_area(request.user)
    if area is None:
        raise Http404("Not for you.")
    return redirect("households:overview", code=area.code)


@require_GET
@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    """An area's households and residents, residents per tag, and the same per child
    area; sensitive tags only for their readers."""
    user = request.user
    area = selectors.count_area(user, code)
    figures = selectors.area_counts(user, area)
    children = list(area_selectors.children(user, area).defer("boundary"))
    per_child = selectors.counts_by_child(area) if children else {}
    empty = {"households": 0, "residents": 0, "tags": {}}
    child_rows = [
        {
            "area": child,
            "figures": per_child.get(child.path, empty),
            "needs_help": per_child.get(child.path, empty)["tags"].get(
                tagset.Tag.NEEDS_EMERGENCY_HELP, 0
            ),
            "linked": permissions.can(user, "counts", child),
        }
        for child in children
    ]
    parents = [a for a in area_selectors.ancestors(area) if permissions.can(user, "counts", a)]
    return render(
        request,
        "households/overview.html",
        {
            "area": area,
            "parent": parents[-1] if parents else None,
            "figures": figures,
            "kinds": [
                {"label": label, "n": figures.by_kind[value]}
                for value, label in Household.Kind.choices
            ],
            "plain": [{"label": tagset.LABELS[t], "n": n} for t, n in figures.by_tag.items()],
            "sensitive": (
                [{"label": tagset.LABELS[t], "n": n} for t, n in figures.sensitive.items()]
                if figures.sensitive is not None
                else None
            ),
            "children": child_rows,
            "child_level": Area.Level(children[0].level).label if children else "",
            "can_list": permissions.can(user, "view", area),
            "can_import": permissions.can(user, "change"),
        },
    )
