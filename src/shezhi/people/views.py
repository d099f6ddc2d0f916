"""The workforce pages: an area's people, one person, a grid's team, workforce counts.

Every object is fetched through a scoped selector: outside the user's scope it
is a 404, like an id that does not exist. Phones and ID numbers show masked;
one value shows in clear only on the page answering a reveal, which is audited.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shezhi.areas import constants as c
from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.core.lists import page_of

from . import permissions, selectors, services
from .masking import masked
from .models import Assignment, Person

PAGE_SIZE = 50
# A micro-grid rarely has more people living or working in it; the page shows the top.
CANDIDATE_LIMIT = 50

# Never needed to draw a list or a person: the clear values and the areas' outlines.
LIST_DEFER = ("phone", "id_number", "area__boundary")

FLAG_CHOICES = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
FLAG_VALUES = {"yes": True, "no": False}
FLAGS = ("party_member", "veteran", "group_leader")


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or employer"), required=False, max_length=50)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Person.Category.choices],
    )
    force_type = forms.ChoiceField(
        label=_("Force type"),
        required=False,
        choices=[("", _("All force types")), *Person.ForceType.choices],
    )
    role = forms.ChoiceField(
        label=_("Current role"),
        required=False,
        choices=[("", _("Any role")), *Assignment.Role.choices],
    )
    party_member = forms.ChoiceField(label=_("Party member"), required=False, choices=FLAG_CHOICES)
    veteran = forms.ChoiceField(label=_("Veteran"), required=False, choices=FLAG_CHOICES)
    group_leader = forms.ChoiceField(label=_("Group leader"), required=False, choices=FLAG_CHOICES)

    def filters(self) -> dict:
        """The selector's keyword arguments; a value that does not validate is ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "category": data.get("category", ""),
            "force_type": data.get("force_type", ""),
            "role": data.get("role", ""),
            **{flag: FLAG_VALUES.get(data.get(flag, "")) for flag in FLAGS},
        }


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Value to reveal"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded in the audit log with your name and the time."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if person.phone_last4:
            choices.append(("phone", _("Phone")))
        if person.id_number_last4:
            choices.append(("id_number", _("ID number")))
        self.fields["field"].choices = choices
        if choices:
            self.fields["field"].initial = choices[0][0]


def _area_tabs(area: Area, current: str) -> dict:
    """The area's workforce pages, for the tabs at the top of each."""
    return {
        "area": area,
        "tab": current,
        "has_team": area.level in (c.MICRO_GRID, c.GENERAL_GRID),
    }


def _area_tabs_for(user, area: Area, current: str) -> dict:
    return {**_area_tabs(area, current), "can_manage": permissions.can(user, "manage", area)}


def _visible_person_ids(user, ids) -> set[int]:
    """Which of these people the user may open (to link only those)."""
    ids = set(ids)
    if not ids:
        return set()
    return set(selectors.visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))


# ---------- people of an area ----------


@login_required
def area_people(request: HttpRequest, code: str) -> HttpResponse:
    """People whose record lies inside an area: filtered, 50 a page, phones masked."""
    area = area_selectors.get_area(request.user, code)
    reach = permissions.workforce_reach(request.user, area)
    form = PeopleFilterForm(request.GET)
    filters = form.filters()
    people = selectors.people_in(request.user, area, **filters).defer(*LIST_DEFER)
    # Exact counts and numbered pages: a workforce is thousands of people, not millions.
    page = page_of(people, request.GET, order=selectors.PEOPLE_ORDER, per_page=PAGE_SIZE, cap=None)
    rows = [{"person": p, "phone": masked("phone", p.phone_last4)} for p in page.object_list]
    more_filters = any(filters[k] for k in ("category", "force_type", "role")) or any(
        filters[f] is not None for f in FLAGS
    )
    return render(
        request,
        "people/area_people.html",
        {
            **_area_tabs_for(request.user, area, "people"),
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": more_filters or bool(filters["q"].strip()),
            "more_filters": more_filters,
            "reach": reach,
        },
    )


# ---------- one person ----------


def _person_context(request: HttpRequest, person: Person, form: RevealForm) -> dict:
    history = list(selectors.assignment_history(person).defer("area__boundary"))
    places = {
        a.pk: a
        for a in Area.objects.filter(
            pk__in=[pk for pk in (person.lives_in_id, person.works_in_id) if pk]
        ).only("id", "code", "name", "level")
    }
    shown_area_ids = {a.area_id for a in history} | set(places) | {person.area_id}
    linked = set(
        area_selectors.visible_areas(request.user)
        .filter(pk__in=shown_area_ids)
        .values_list("pk", flat=True)
    )
    return {
        "person": person,
        "phone": masked("phone", person.phone_last4),
        "id_number": masked("id_number", person.id_number_last4),
        "lives_in": places.get(person.lives_in_id),
        "works_in": places.get(person.works_in_id),
        "current": [a for a in history if a.ended_on is None],
        "past": [a for a in history if a.ended_on is not None],
        "linked_areas": linked,
        "team_levels": (c.MICRO_GRID, c.GENERAL_GRID),
        "can_reveal": permissions.can(request.user, "manage", person.area)
        and bool(form.fields["field"].choices),
        "form": form,
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: details masked, current assignments, history, and the reveal form."""
    person = selectors.get_person(request.user, pk)
    form = RevealForm(person=person)
    return render(request, "people/person.html", _person_context(request, person, form))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one phone or ID number in clear, once, with the reason recorded.

    Someone who may see the person but not unmask them gets the same 404 as
    someone who may not see the person at all. A GET (say, after switching the
    language on the result page) goes back to the person's page: nothing shows
    in clear without a POST and a reason.
    """
    person = selectors.get_person(request.user, pk)
    if request.method != "POST":
        return redirect("people:person", pk=person.pk)
    if not permissions.can(request.user, "manage", person.area):
        raise Http404("No such person.")
    form = RevealForm(request.POST, person=person)
    if form.is_valid():
        field = form.cleaned_data["field"]
        try:
            value = services.reveal_personal_data(
                actor=request.user, person=person, field=field, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404("No such person.") from None
        except ValidationError as exc:
            form.add_error("reason", exc)
        else:
            return render(
                request,
                "people/revealed.html",
                {
                    "person": person,
                    "field_label": dict(form.fields["field"].choices)[field],
                    "value": value,
                    "reason": form.cleaned_data["reason"],
                },
            )
    return render(request, "people/person.html", _person_context(request, person, form))


# ---------- a grid's team ----------


@login_required
def team(request: HttpRequest, code: str) -> HttpResponse:
    """Who serves a micro-grid now (or a general grid's full-time workers and micro-grids).

    A general micro-grid without a responsible worker lists its candidates,
    ranked by the three priorities (三个优先) with the reasons for each rank.
    """
    area = area_selectors.get_area(request.user, code)
    if area.level not in (c.MICRO_GRID, c.GENERAL_GRID):
        raise Http404("Only grids and micro-grids have a team.")
    context = _area_tabs_for(request.user, area, "team")
    defer = ("person__phone", "person__id_number")
    if area.level == c.GENERAL_GRID:
        full_time = list(
            selectors.current_assignments(area)
            .filter(role=Assignment.Role.FULL_TIME_WORKER)
            .defer(*defer)
        )
        micro_grids = list(area_selectors.children(request.user, area).defer("boundary"))
        without = set(selectors.micro_grids_without_worker(area).values_list("pk", flat=True))
        context.update(
            full_time=full_time,
            grid=area,
            micro_grids=[{"area": m, "without_worker": m.pk in without} for m in micro_grids],
            linked_people=_visible_person_ids(request.user, (a.person_id for a in full_time)),
        )
        return render(request, "people/team.html", context)

    assignments = list(selectors.current_assignments(area).defer(*defer))
    by_role = defaultdict(list)
    for a in assignments:
        by_role[a.role].append(a)
    parents = area_selectors.ancestors(area)
    grid = parents[-1] if parents and parents[-1].level == c.GENERAL_GRID else None
    full_time = (
        list(
            selectors.current_assignments(grid)
            .filter(role=Assignment.Role.FULL_TIME_WORKER)
            .defer(*defer)
        )
        if grid is not None
        else []
    )
    responsible = by_role[Assignment.Role.RESPONSIBLE_WORKER]
    candidates = []
    candidate_count = 0
    if area.kind == c.KIND_GENERAL and not responsible:
        ranked = selectors.candidates_for(request.user, area)
        candidate_count = len(ranked)
        candidates = ranked[:CANDIDATE_LIMIT]
    shown = [a.person_id for a in assignments] + [a.person_id for a in full_time]
    context.update(
        responsible=responsible[0] if responsible else None,
        members=by_role[Assignment.Role.MEMBER],
        cadres=by_role[Assignment.Role.EMBEDDED_CADRE],
        full_time=full_time,
        grid=grid,
        needs_worker=area.kind == c.KIND_GENERAL and not responsible,
        candidates=candidates,
        candidate_count=candidate_count,
        linked_people=_visible_person_ids(request.user, shown),
    )
    return render(request, "people/team.html", context)


# ---------- workforce counts ----------


@login_required
def counts(request: HttpRequest, code: str) -> HttpResponse:
    """The workforce inside an area per category and force type, and the same per child."""
    area = area_selectors.get_area(request.user, code)
    totals = selectors.workforce_counts(area)
    children = list(area_selectors.children(request.user, area).defer("boundary"))
    per_path = selectors.workforce_counts_by_child(area) if children else {}
    categories = [
        (value, label)
        for value, label in Person.Category.choices
        # "Other" only when someone is in it: the article's categories are the point.
        if value != Person.Category.OTHER or totals["category"][value]
    ]
    groups = {"category": categories, "force_type": list(Person.ForceType.choices)}
    empty = {"category": Counter(), "force_type": Counter(), "total": 0}

    def row(counted: dict, group: str) -> dict:
        return {
            "total": counted["total"],
            "cells": [
                {"key": value, "label": label, "n": counted[group][value]}
                for value, label in groups[group]
            ],
        }

    own = per_path.get(area.path)
    tables = [
        {
            "group": group,
            "columns": columns,
            "rows": [
                {"area": child, **row(per_path.get(child.path, empty), group)} for child in children
            ],
            "own": row(own, group) if own else None,
            "total": row(totals, group),
        }
        for group, columns in groups.items()
    ]
    child_level = c.child_level(area.level)
    return render(
        request,
        "people/counts.html",
        {
            **_area_tabs_for(request.user, area, "counts"),
            "totals": totals,
            "category_cells": row(totals, "category")["cells"],
            "force_cells": row(totals, "force_type")["cells"],
            "tables": tables if children else [],
            "child_level": Area.Level(child_level).label if child_level else "",
        },
    )
