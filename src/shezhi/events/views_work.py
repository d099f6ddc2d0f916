"""The working side of the event loop: an event's page and its actions, the handler's
inbox, the dispatcher's queue, the department's page and the emergency switch.

Views stay thin: every event comes from ``selectors.get_event`` (404 outside
scope), every change goes through ``services.perform`` (or the emergency
services), and an error is shown by the field it is about, with the status
``core/errors.py`` gives it and nothing written.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.areas import selectors as area_selectors
from shezhi.areas.models import Area
from shezhi.core import timefmt
from shezhi.core.errors import Conflict
from shezhi.core.lists import cursor_page, page_of
from shezhi.core.names import local_name
from shezhi.core.pages import attempt
from shezhi.core.photos import served
from shezhi.people.models import Department
from shezhi.visits import selectors as visit_selectors

from . import permissions, selectors, services, wording
from .action_forms import FORMS, ActionForm, form_for, quick_form
from .models import EmergencyPeriod, Event, EventPhoto, WhistleSummons
from .workflow import ACTIONS

S = Event.State
# Every work list shows 50 rows a page (phone-first: already a long scroll).
WORK_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = WORK_PAGE_SIZE

# Actions offered right in a list row (one tap); the rest are on the event's page.
INBOX_QUICK = ("accept", "handle", "resume")
QUEUE_QUICK = ("register", "dispatch", "approve_deferral")
# The step an event waits for, by state: drawn first and open on its page.
PRIMARY = ("register", "dispatch", "accept", "handle", "verify_pass", "approve_deferral",
           "resume", "report_in", "rate", "rate_whistle")  # fmt: skip

TAB_LABELS = {
    "to_register": gettext_lazy("To register"),
    "to_dispatch": gettext_lazy("To dispatch"),
    "returned": gettext_lazy("Returned"),
    "overdue": gettext_lazy("Overdue"),
    "deferral": gettext_lazy("Deferral requests"),
    "to_verify": gettext_lazy("To verify"),
    "escalated": gettext_lazy("Escalated to this level"),
}
SLA_LABELS = {
    "green": gettext_lazy("On time"),
    "yellow": gettext_lazy("Due soon"),
    "red": gettext_lazy("Overdue"),
}


# ---------------------------------------------------------------------------
# Small helpers


def _next_url(request: HttpRequest, value: str | None) -> str | None:
    """A page of this site under /events/ to go back to, or None."""
    if not value or not value.startswith("/events/"):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value


def _duration_text(minutes: int) -> str:
    """45 min · 3 h 20 min · 2 d 4 h (calendar time, for a countdown)."""
    return timefmt.duration(minutes)


def _countdown(due: datetime | None, now: datetime) -> dict | None:
    """How long until ``due``, or how long overdue, in whole minutes."""
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    return {"minutes": minutes, "overdue": seconds < 0, "due": due, "text": _duration_text(minutes)}


def _state_label(value: str) -> str:
    if not value:
        return ""
    try:
        return str(S(value).label)
    except ValueError:
        return value


def _add_quick_forms(request, events: list[Event], quick, next_url: str) -> None:
    """Give each row its one-tap forms (``e.quick_forms``): the actions of ``quick`` the
    user may take on it. What they need is read once for the whole list
    (``permissions.PageKnown``, ``selectors.dispatch_choices``): a fixed number of
    queries however many rows."""
    user = request.user
    known = permissions.PageKnown(user, events)
    allowed = permissions.allowed_actions_for_page(user, events, known)
    dispatching = [e for e in events if "dispatch" in quick and "dispatch" in allowed[e.pk]]
    choices = selectors.dispatch_choices(dispatching)
    options: dict = {}  # the dispatch forms' options, drawn once for the page's rows
    for e in events:
        e.quick_forms = []
        names = [name for name in quick if name in allowed[e.pk]]
        if not names:
            continue
        mine = permissions.parties(user, e, known)
        e.quick_forms = [
            quick_form(
                name, e, user, next_url, mine=mine, choices=choices.get(e.pk), options=options
            )
            for name in names
        ]


def _lean(qs):
    """A list's events with what rows and ``allowed_actions`` read, without outlines
    and without the reporter's contact (encrypted: no row shows it)."""
    return qs.select_related("category", "area", "owner_area", "handler_area").defer(
        *selectors.LIST_DEFERRED,
        "area__boundary",
        "owner_area__boundary",
        "handler_area__boundary",
    )


def _decorate(event: Event, now: datetime) -> Event:
    """Attach the SLA colour (when not annotated) and the time left to the deadline."""
    if not hasattr(event, "sla"):
        event.sla = selectors.sla_colour(event, now)
    event.sla_label = SLA_LABELS.get(event.sla, "")
    event.time_left = _countdown(event.deadline_at, now) if event.sla else None
    return event


def _row(event: Event, now: datetime) -> Event:
    """``_decorate`` for a list's card (``_event_card.html``), with its texts made here:
    a list shows up to 200 cards, and a template's filters, tags and lookups of missing
    attributes cost more per card than the rest of the page together."""
    _decorate(event, now)
    event.state_label = _state_label(event.state)
    event.whistled_only = getattr(event, "whistled_only", False)
    event.url = reverse("events:detail", args=[event.pk])
    event.category_name = local_name(event.category)
    event.short_description = truncatechars(event.description, 120)
    event.number_text = _("No. %(number)s") % {"number": event.number}
    event.place = f"{event.area.name} · {event.address}" if event.address else event.area.name
    event.created_iso = date_format(timezone.localtime(event.created_at), "c")
    event.created_text = timefmt.when(event.created_at)
    event.deadline_iso = ""
    event.quick_forms = []  # the list's own, if any: _add_quick_forms
    if event.deadline_at and event.time_left:
        left = event.time_left
        event.deadline_iso = date_format(timezone.localtime(event.deadline_at), "c")
        event.deadline_text = timefmt.when(event.deadline_at)
        wording = _("overdue by %(t)s") if left["overdue"] else _("%(t)s left")
        left["label"] = wording % {"t": left["text"]}
    return event


# ---------------------------------------------------------------------------
# The event's page


def _handler_text(event: Event, names: bool) -> str:
    kind = event.handler_kind
    if kind == Event.HandlerKind.WORKER and event.handler_user_id:
        if names:
            name = selectors.display_name(event.handler_user)
            return f"{Event.HandlerKind(kind).label} · {name}"
        return str(Event.HandlerKind(kind).label)
    if kind == Event.HandlerKind.COMMUNITY and event.handler_area_id:
        return f"{Event.HandlerKind(kind).label} · {event.handler_area.name}"
    if kind == Event.HandlerKind.DEPARTMENT and event.handler_department_id:
        return f"{Event.HandlerKind(kind).label} · {event.handler_department.name}"
    return ""


def _transition_details(row, departments: dict[str, str], areas: dict[str, str]) -> str:
    """A short line for what a step carried (target, levels, rating …)."""
    data = row.data or {}
    parts = []
    if row.action == "dispatch" or (row.action == "whistle" and data.get("lead")):
        if data.get("handler_department") or data.get("lead"):
            code = data.get("handler_department") or data.get("lead")
            parts.append(_("to %(name)s") % {"name": departments.get(code, code)})
        elif data.get("handler_area"):
            code = data["handler_area"]
            parts.append(_("to %(name)s") % {"name": areas.get(code, code)})
        elif data.get("handler_kind") == Event.HandlerKind.WORKER:
            parts.append(_("to the micro-grid's worker"))
    if row.action == "whistle" and data.get("departments"):
        names = ", ".join(departments.get(c, c) for c in data["departments"])
        parts.append(
            _("summoned %(names)s, report in within %(minutes)s min")
            % {"names": names, "minutes": data.get("report_in_minutes", "")}
        )
    if data.get("to_area"):
        parts.append(
            _("from %(a)s to %(b)s")
            % {
                "a": areas.get(data.get("from_area"), data.get("from_area")),
                "b": areas.get(data["to_area"], data["to_area"]),
            }
        )
    if row.action == "void" and data.get("void_kind"):
        parts.append(_("duplicate") if data["void_kind"] == "duplicate" else _("invalid"))
    if row.action == "rate" and data.get("rating"):
        parts.append(str(Event.Rating(data["rating"]).label))
    if row.action == "rate_whistle" and data.get("rating"):
        parts.append(
            "{} · {}".format(
                departments.get(data.get("department"), data.get("department")),
                WhistleSummons.Rating(data["rating"]).label,
            )
        )
    if row.action == "handle" and data.get("on_spot"):
        parts.append(_("on the spot"))
        if data.get("spot_check"):
            parts.append(_("drawn for the community's spot check"))
    if row.action == "report_in" and "on_time" in data:
        parts.append(_("on time") if data["on_time"] else _("late"))
    if data.get("bounce"):
        parts.append(_("a department's bounce"))
    return "; ".join(str(p) for p in parts)


def _timeline(user, event: Event, *, resident: bool = False) -> list:
    """The history's rows, labelled (in a resident's words for a resident) and named."""
    rows = selectors.timeline(user, event)
    names = selectors.display_names(r.actor_id for r in rows if not r.actor_hidden)
    departments = {
        d.code: d.name
        for d in Department.objects.filter(district__path=event.area_path[: Area.steplen])
    }
    keys = ("from_area", "to_area", "handler_area")
    codes = {(r.data or {}).get(k) for r in rows for k in keys} - {None, ""}
    areas = dict(Area.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    state_label = wording.resident_state_of if resident else _state_label
    for row in rows:
        spec = ACTIONS.get(row.action)
        if resident and row.action in wording.RESIDENT_STEPS:
            row.label = str(wording.RESIDENT_STEPS[row.action])
        elif spec is not None:
            row.label = str(spec.label)
        else:
            row.label = _("Reported") if row.action == "report" else row.action
        row.actor_name = names.get(row.actor_id, "") if row.actor_id else ""
        row.from_label = state_label(row.from_state) if row.from_state else ""
        row.to_label = state_label(row.to_state) if row.to_state else ""
        row.changed = row.from_state != row.to_state
        row.details = _transition_details(row, departments, areas)
    return rows


def _whistles(event: Event, now: datetime) -> list:
    whistles = list(
        event.whistles.select_related("area", "blown_by")
        .prefetch_related("summonses__department", "summonses__reported_in_by")
        .order_by("blown_at", "id")
    )
    for w in whistles:
        w.summons_rows = []
        for s in sorted(w.summonses.all(), key=lambda s: (s.due_at, s.pk)):
            s.countdown = (
                _countdown(s.due_at, now)
                if s.reported_in_at is None and w.closed_at is None
                else None
            )
            w.summons_rows.append(s)
    return whistles


def _detail_context(request, event: Event, *, bound: ActionForm | None = None, error=None) -> dict:
    user = request.user
    now = timezone.now()
    _decorate(event, now)
    mine = permissions.parties(user, event)
    staff_view = not wording.resident_view(mine)
    allowed = permissions.allowed_actions(user, event)
    forms = []
    for name in allowed:
        if name not in FORMS:
            continue
        reuse = bound is not None and bound.action == name
        form = bound if reuse else form_for(name, event, user)
        # A resident reads the steps in their own words (确认已解决 / 仍未解决).
        form.resident = not staff_view
        forms.append(form)
    primary = next((f for f in forms if f.action in PRIMARY), None)
    if primary is not None:
        primary.primary = True
        forms.remove(primary)
        forms.insert(0, primary)
    photos = list(event.photos.all())
    visible = selectors.visible_events(user)
    master = visible.filter(pk=event.master_id).first() if event.master_id else None
    duplicates = list(visible.filter(master=event).order_by("created_at", "id"))
    chain = [*area_selectors.ancestors(event.area), event.area]
    return {
        "from_visit": _from_visit(user, event),
        "event": event,
        "now": now,
        "chain": chain,
        "report_photos": [p for p in photos if p.stage == EventPhoto.Stage.REPORT],
        "result_photos": [p for p in photos if p.stage == EventPhoto.Stage.RESULT],
        "handler_text": _handler_text(event, staff_view),
        "state_label": (
            event.get_state_display()
            if staff_view
            else wording.resident_state(event, reporter=event.reporter_id == user.pk)
        ),
        # The reporter's name: for those who dispatch or patrol there, unless anonymous.
        "show_reporter": bool(mine & {"dispatcher", "grid"}),
        "reporter_name": selectors.display_name(event.reporter) if event.reporter_id else "",
        "reporter_hidden": event.anonymous and event.reporter_id != user.pk,
        "whistles": _whistles(event, now),
        "master": master,
        "duplicates": duplicates,
        "timeline": _timeline(user, event, resident=not staff_view),
        "forms": forms,
        "error": error,
        "boundary_json": json.dumps(event.area.boundary or None, separators=(",", ":")),
    }


def _from_visit(user, event: Event) -> int | None:
    """The household visit the event was found on, if the user may open it."""
    visit = selectors.report_origin(event).get("visit")
    if not isinstance(visit, int) or not visit_selectors.visible_visit_ids(user, [visit]):
        return None
    return visit


def _render_detail(request, event, *, bound=None, error=None, status=200) -> HttpResponse:
    return render(
        request,
        "events/detail.html",
        _detail_context(request, event, bound=bound, error=error),
        status=status,
    )


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One event: where and what, its handler, whistles, history, and what the user may do."""
    event = selectors.get_event(request.user, pk)
    return _render_detail(request, event)


@never_cache
@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Perform one action from its form; errors re-render the event's page with nothing written."""
    event = selectors.get_event(request.user, pk)
    if action not in FORMS:
        raise Http404("No such action.")
    form = form_for(action, event, request.user, request.POST, request.FILES)
    form.resident = wording.resident_view(permissions.parties(request.user, event))
    if not form.is_valid():
        message = _("Check the form below.")
        if "version" in form.errors:
            message = _("The form did not say which version of the event it was for; reload.")
        error = {"action": action, "label": form.label, "message": message}
        return _render_detail(request, event, bound=form, error=error, status=400)
    done = attempt(
        request,
        services.perform,
        quiet=True,
        actor=request.user,
        event=event,
        action=action,
        success=_("Done: %(action)s.") % {"action": form.label},
        **form.perform_kwargs(),
    )
    if not done:
        exc = done.error
        fresh = selectors.get_event(request.user, pk)
        error = {
            "action": action,
            "label": form.label,
            "message": exc.message,
            "conflict": isinstance(exc, Conflict),
        }
        if isinstance(exc, Conflict):
            # Show the event as it is now, with forms carrying its new version.
            return _render_detail(request, fresh, error=error, status=exc.status)
        if exc.field and exc.field in form.fields and not form.fields[exc.field].widget.is_hidden:
            form.add_error(exc.field, exc.message)
            error["by_field"] = True
        else:
            form.add_error(None, exc.message)
        # The form keeps what was typed, against the event as it is now.
        form.event = fresh
        return _render_detail(request, fresh, bound=form, error=error, status=exc.status)
    return redirect(
        _next_url(request, form.cleaned_data.get("next")) or reverse("events:detail", args=[pk])
    )


@login_required
@require_GET
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """A report or result photo, only to users who may see the event: never public."""
    event = selectors.get_event(request.user, pk)
    item = EventPhoto.objects.filter(pk=photo_id, event=event).first()
    return served(item.image if item else None)


# ---------------------------------------------------------------------------
# The handler's inbox


@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My tasks, most urgent first (red, yellow, green, then without a clock), one tap to act."""
    user = request.user
    if not permissions.can(user, "see_inbox"):
        raise Http404("No inbox.")
    now = timezone.now()
    here = reverse("events:inbox")
    # A page at a time, most urgent first, on by cursor ("more"): never by offset.
    page = cursor_page(
        _lean(selectors.handler_inbox(user, now)),
        request.GET,
        order=selectors.INBOX_ORDER,
        per_page=WORK_PAGE_SIZE,
    )
    tasks = [_row(e, now) for e in page.object_list]
    # One tap brings the user back to the page they acted from.
    _add_quick_forms(request, tasks, INBOX_QUICK, request.get_full_path())
    # Grid workers also register (and dispatch, 小事不出网格) what waits in their grid,
    # and verify results there: on the first page of tasks (the next go on with tasks).
    to_register, to_verify = [], []
    seen_register, seen_verify = set(), set()
    grids = [] if page.has_previous() else permissions.held_areas(user, "work_grid")
    for area in grids:
        for e in _lean(selectors.grid_waiting(user, area))[:50]:
            if e.pk not in seen_register:
                seen_register.add(e.pk)
                to_register.append(_row(e, now))
        # A spot check of an on-the-spot handling is the community's to verify.
        for e in (
            _lean(selectors.dispatcher_queue(user, area, "to_verify", now))
            .exclude(handler_user=user)
            .exclude(spot_check=True)[:50]
        ):
            if e.pk not in seen_verify:
                seen_verify.add(e.pk)
                to_verify.append(_row(e, now))  # handled: no clock, no colour
    _add_quick_forms(request, to_register, ("register", "dispatch"), here)
    return render(
        request,
        "events/inbox.html",
        {
            "tasks": tasks,
            "page": page,
            "to_register": to_register,
            "to_verify": to_verify,
            "now": now,
        },
    )


# ---------------------------------------------------------------------------
# The dispatcher's queue


@login_required
@require_GET
def queue_home(request: HttpRequest) -> HttpResponse:
    """The queue of the user's own top area (the highest one they dispatch for)."""
    user = request.user
    areas = permissions.held_areas(user, "own_queue")
    if not areas and user.is_superuser:
        areas = area_selectors.root_areas(user)
    if not areas:
        raise Http404("No queue.")
    top = min(areas, key=lambda a: (a.depth, a.path))
    return redirect("events:queue", code=top.code)


@never_cache
@login_required
@require_GET
def queue(request: HttpRequest, code: str) -> HttpResponse:
    """An area's queue, one tab at a time, with every tab's count."""
    user = request.user
    area = area_selectors.get_area(user, code)
    if not permissions.can(user, "see_queue", area):
        raise Http404("No such area.")
    tab = request.GET.get("tab") or selectors.DISPATCHER_TABS[0]
    if tab not in selectors.DISPATCHER_TABS:
        raise Http404("No such tab.")
    now = timezone.now()
    counts = selectors.queue_counts(user, area, now)
    events = _lean(selectors.dispatcher_queue(user, area, tab, now))
    # Numbered pages over the oldest thousand, then on by cursor (``page_of``).
    page = page_of(events, request.GET, order=selectors.QUEUE_ORDER, per_page=QUEUE_PAGE_SIZE)
    rows = [_row(e, now) for e in page.object_list]
    _add_quick_forms(request, rows, QUEUE_QUICK, request.get_full_path())
    tabs = [
        {"key": t, "label": TAB_LABELS[t], "count": counts[t], "current": t == tab}
        for t in selectors.DISPATCHER_TABS
    ]
    return render(
        request,
        "events/queue.html",
        {
            "area": area,
            "crumbs": area_selectors.ancestors(area),
            "tab": tab,
            "tab_label": TAB_LABELS[tab],
            "tabs": tabs,
            "page": page,
            "rows": rows,
            "children": list(area_selectors.children(user, area).defer("boundary")[:100])
            if area.level in ("district", "street")
            else [],
            "can_emergency": permissions.can(user, "declare_emergency", area),
            "in_emergency": services.in_emergency(area, now),
        },
    )


# ---------------------------------------------------------------------------
# The department's page


@never_cache
@login_required
@require_GET
def department(request: HttpRequest) -> HttpResponse:
    """Events dispatched or whistled to my departments; summonses to report in to, soonest first."""
    user = request.user
    if not permissions.can(user, "see_department"):
        raise Http404("No department.")
    department_ids = permissions.user_departments(user)
    now = timezone.now()
    here = reverse("events:department")
    summonses = list(selectors.open_summonses(user))
    report_in_forms = {}
    for s in summonses:
        s.countdown = _countdown(s.due_at, now)
        event = s.whistle.event
        if event.pk not in report_in_forms:
            form = quick_form("report_in", event, user, here)
            report_in_forms[event.pk] = form
            s.report_in_form = form
        else:
            s.report_in_form = None
    # A page at a time by deadline, on by cursor ("more"): never by offset.
    page = cursor_page(
        _lean(selectors.department_queue(user, now)),
        request.GET,
        order=selectors.DEPARTMENT_ORDER,
        per_page=WORK_PAGE_SIZE,
    )
    events = page.object_list
    for e in events:
        e.whistled_only = e.handler_department_id not in department_ids
        _row(e, now)
    _add_quick_forms(request, events, INBOX_QUICK, request.get_full_path())
    return render(
        request,
        "events/department.html",
        {
            "departments": Department.objects.filter(pk__in=department_ids).order_by("code"),
            "summonses": summonses,
            "events": events,
            "page": page,
            "now": now,
        },
    )


# ---------------------------------------------------------------------------
# Emergency mode


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def emergency(request: HttpRequest, code: str) -> HttpResponse:
    """Whether the area is in emergency mode (战时), and the switch to start or end it."""
    user = request.user
    area = area_selectors.get_area(user, code)
    if not permissions.can(user, "declare_emergency", area):
        raise Http404("No such area.")
    error = None
    status = 200
    reason = ""
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "start":
            reason = request.POST.get("reason", "")
            done = attempt(
                request,
                services.start_emergency,
                quiet=True,
                actor=user,
                area=area,
                reason=reason,
                success=_("Emergency mode started."),
            )
        elif op == "end":
            wanted = request.POST.get("period", "")
            period = next(
                (
                    p
                    for p in selectors.active_emergency_periods(area, timezone.now())
                    if str(p.pk) == wanted
                ),
                None,
            )
            if period is None:
                raise Http404("No such period.")
            done = attempt(
                request,
                services.end_emergency,
                quiet=True,
                actor=user,
                period=period,
                success=_("Emergency mode ended."),
            )
        else:
            raise Http404("No such operation.")
        if done and op == "start" and request.POST.get("then") == "operation":
            # The declare form's "start an operation" choice: on to its form (operations).
            return redirect("operations:start", code=area.code)
        if done:
            return redirect("events:emergency", code=area.code)
        error = {"message": done.message, "field": done.error.field}
        status = done.status
    now = timezone.now()
    active = selectors.active_emergency_periods(area, now)
    names = selectors.display_names(p.started_by_id for p in active)
    for p in active:
        p.can_end = permissions.can(user, "declare_emergency", p.area)
        p.inherited = p.area_id != area.pk
        p.started_by_name = names.get(p.started_by_id, "")
    history = list(
        EmergencyPeriod.objects.filter(area=area)
        .select_related("started_by")
        .order_by("-started_at")[:20]
    )
    return render(
        request,
        "events/emergency.html",
        {
            "area": area,
            "active": active,
            "history": history,
            "error": error,
            "reason": reason,
        },
        status=status,
    )
