"""The reporting side of the event loop: report pages, "my reports", the public map.

Thin views: the form parses, ``services.report_event`` (and ``perform`` for a
"register now") decides and writes, ``selectors`` read and scope.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.areas.models import Area
from shezhi.core.errors import EventError
from shezhi.core.pages import show_on_form
from shezhi.households import selectors as households

from . import forms, held_photos, permissions, selectors, services, wording
from .models import Event, EventFollower, EventPhoto, HeldPhoto

# A service error's field → the form field it is shown next to.
ERROR_FIELDS = {"location": "lng", "lat": "lng"}
MY_REPORTS_PER_PAGE = 30
# Boundaries drawn on the report map for orientation (the user's own areas).
OUTLINES_SHOWN = 4


def detail_url(event_id: int) -> str:
    """The event's page (the working side's ``events:detail``, /events/<id>/)."""
    return reverse("events:detail", args=[event_id])


def _delete_files(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


# ---------------------------------------------------------------------------
# Report pages


@dataclass(frozen=True)
class ReportPage:
    name: str  # URL name
    source: str  # who opens the page: ``permissions.can(user, "report", source)``
    form_class: type
    title: str
    intro: str
    submit: str
    register: str = "no"  # "no", "optional" (a checkbox), "always"


PAGES = {
    "report": ReportPage(
        "report",
        Event.Source.RESIDENT,
        forms.ReportForm,
        gettext_lazy("Report a problem"),
        gettext_lazy(
            "Tell us what is wrong and where. Your grid worker sees it at once, and you can"
            " follow it under “My reports”."
        ),
        gettext_lazy("Send the report"),
    ),
    "patrol": ReportPage(
        "patrol",
        Event.Source.PATROL,
        forms.PatrolForm,
        gettext_lazy("Patrol report"),
        gettext_lazy("Something you found on patrol inside your own grid."),
        gettext_lazy("Send the patrol report"),
    ),
    "hotline": ReportPage(
        "hotline",
        Event.Source.HOTLINE,
        forms.HotlineForm,
        gettext_lazy("12345 hotline transfer"),
        gettext_lazy(
            "A call transferred from the 12345 hotline, in your area. The caller's contact is"
            " stored encrypted and shown only to those handling the event."
        ),
        gettext_lazy("Enter the transfer"),
        register="optional",
    ),
    "assign": ReportPage(
        "assign",
        Event.Source.ASSIGNED,
        forms.AssignForm,
        gettext_lazy("Assign an event"),
        gettext_lazy(
            "An event assigned from above to an area you hold. It is registered at once and"
            " goes to the dispatchers' queue."
        ),
        gettext_lazy("Assign and register"),
        register="always",
    ),
}


class _RegisterFailed(Exception):
    def __init__(self, error: EventError, files: list[str]):
        super().__init__(error.message)
        self.error = error
        self.files = files


def _submit(page: ReportPage, user, form, held=()) -> Event:
    """Report (and register, if asked) in one transaction: all of it or nothing.

    ``held``: photos kept from an earlier, refused submission of the same form.
    """
    register = page.register == "always" or (
        page.register == "optional" and form.cleaned_data.get("register_now")
    )
    kwargs = form.service_kwargs()
    kwargs["photos"] = held_photos.as_processed(held) + list(kwargs["photos"])
    with transaction.atomic():
        reported = services.report_event(submitted_by=user, source=page.source, **kwargs)
        if register and reported.created:
            try:
                services.perform(actor=user, event=reported.event, action="register")
            except EventError as exc:
                files = list(
                    EventPhoto.objects.filter(event=reported.event).values_list("image", flat=True)
                )
                raise _RegisterFailed(exc, files) from None
    return reported.event


def _frame(held) -> tuple[list[float] | None, list[str]]:
    """Where the report map opens: the user's areas ``held`` (``permissions.held_areas``),
    else every district.

    Returns the bbox [south, west, north, east] and boundary URLs to outline.
    """
    paths = {a.path: a for a in held}
    tops = [
        a for p, a in sorted(paths.items()) if not any(p != o and p.startswith(o) for o in paths)
    ]
    outlines = [reverse("api:area_boundary", kwargs={"code": a.code}) for a in tops]
    if not tops:
        tops = list(Area.objects.filter(depth=1).only("min_lng", "min_lat", "max_lng", "max_lat"))
    if not tops:
        return None, []
    bbox = [
        min(a.min_lat for a in tops),
        min(a.min_lng for a in tops),
        max(a.max_lat for a in tops),
        max(a.max_lng for a in tops),
    ]
    return bbox, outlines[:OUTLINES_SHOWN]


def _map_i18n() -> str:
    return json.dumps(
        {
            "locating": _("Finding your location…"),
            "located": _("Location found (within about %(m)s m)."),
            "denied": _("The browser may not use your location. Allow it, or tap the map instead."),
            "unavailable": _("Your location is not available now. Tap the map instead."),
            "timeout": _("Finding your location took too long. Try again or tap the map."),
            "unsupported": _("This browser cannot find your location. Tap the map instead."),
            "placed": _("Point placed. Tap the map again to move it."),
            "cleared": _("No point marked."),
            "no_anonymous": _("This kind of problem cannot be reported anonymously."),
            "sending": _("Sending…"),
            "load_failed": _("Could not load the map. You can still send the report."),
        },
        ensure_ascii=False,
    )


@require_http_methods(["GET", "POST"])
def _report_view(request: HttpRequest, key: str) -> HttpResponse:
    page = PAGES[key]
    user = request.user
    if not permissions.can(user, "report", page.source):
        raise Http404
    form_class = page.form_class
    kept: list = []
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        key = request.POST.get("idempotency_key", "")
        # Photos held from an earlier refusal of this form, still ticked.
        kept = held_photos.keep_only(user=user, key=key, ids=request.POST.getlist("held_photos"))
        if form.is_valid():
            try:
                event = _submit(page, user, form, held=kept)
            except _RegisterFailed as failed:
                _delete_files(failed.files)
                show_on_form(form, failed.error, ERROR_FIELDS)
            except EventError as exc:
                show_on_form(form, exc, ERROR_FIELDS)
            else:
                held_photos.release(user=user, key=key)
                return redirect(detail_url(event.pk))
        # Refused: the new photos are held for the corrected form, not lost.
        new, problems = held_photos.hold(
            user=user, key=key, uploads=request.FILES.getlist("photos"), already=len(kept)
        )
        kept += new
        shown = {str(e) for e in form.errors.get("photos", [])}
        for problem in problems:
            if problem not in shown:
                form.add_error("photos", problem)
    else:
        # A resident bound to a household reports with its address (and building) filled in.
        prefill = households.report_prefill(user) if key == "report" else {}
        form = form_class(initial=prefill)
    bbox, outlines = _frame(permissions.held_areas(user, "report", page.source))
    return render(
        request,
        "events/report_form.html",
        {
            "page": page,
            "form": form,
            "held": [
                {"pk": p.pk, "url": reverse("events:held_photo", args=[p.pk]), "n": i}
                for i, p in enumerate(kept, 1)
            ],
            "error_list": _error_list(form),
            "location_errors": form.errors.get("lng", []) + form.errors.get("lat", []),
            "map_bbox": ",".join(f"{v:.6f}" for v in bbox) if bbox else "",
            "map_outlines": json.dumps(outlines),
            "map_point": _submitted_point(form) or _initial_point(form),
            "map_i18n": _map_i18n(),
            "no_anonymous": json.dumps(forms.no_anonymous_codes()),
            "register_always": page.register == "always",
        },
    )


# Where the error summary's link for a field points (the location has no input of its own).
ERROR_ANCHORS = {"lng": "report-location", "lat": "report-location"}


def _error_list(form) -> list[dict]:
    """The refused form's errors, one line each, with a link to the field they are about."""
    out = []
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form.fields.get(name)
        if name in ERROR_ANCHORS:
            anchor, label = ERROR_ANCHORS[name], _("Where is it?")
        elif field is not None and not field.widget.is_hidden:
            anchor, label = form[name].auto_id, field.label
        else:
            anchor, label = "", ""
        for error in errors:
            out.append({"anchor": anchor, "label": label, "message": error})
    return out


@login_required
@require_GET
def held_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo held for a refused report form: only its sender sees it."""
    photo = HeldPhoto.objects.filter(pk=pk, user=request.user).first()
    if photo is None or not photo.image:
        raise Http404("No such photo.")
    try:
        handle = default_storage.open(photo.image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _initial_point(form) -> str:
    """The point a form opens with (a bound resident's building), "lng,lat" or ""."""
    lng, lat = form.initial.get("lng"), form.initial.get("lat")
    if form.is_bound or lng is None or lat is None:
        return ""
    return f"{lng:.6f},{lat:.6f}"


def _submitted_point(form) -> str:
    """The point sent with a refused form, shown again on its map ("lng,lat" or "")."""
    if not form.is_bound:
        return ""
    try:
        lng, lat = float(form.data.get("lng", "")), float(form.data.get("lat", ""))
    except ValueError:
        return ""
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return ""
    return f"{lng:.6f},{lat:.6f}"


@login_required
def report(request):
    return _report_view(request, "report")


@login_required
def patrol(request):
    return _report_view(request, "patrol")


@login_required
def hotline(request):
    return _report_view(request, "hotline")


@login_required
def assign(request):
    return _report_view(request, "assign")


# ---------------------------------------------------------------------------
# My reports


@login_required
@require_GET
def my_reports(request):
    paginator = Paginator(selectors.my_reports_pages(request.user), MY_REPORTS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    events = list(page_obj.object_list)
    kinds = dict(
        EventFollower.objects.filter(
            user=request.user, event_id__in=[e.pk for e in events]
        ).values_list("event_id", "kind")
    )
    rows = []
    for e in events:
        me_too = kinds.get(e.pk) == EventFollower.Kind.ME_TOO
        waits = selectors.waits_for(request.user, e)
        rows.append(
            {
                "event": e,
                "url": detail_url(e.pk) + ("#actions" if waits else ""),
                "me_too": me_too,
                "category": forms.category_label(e.category),
                "open": e.is_open,
                # In the resident's words (已处理，请您确认), not the workflow's.
                "state": wording.resident_state(e, reporter=not me_too),
                "waits": waits,
                "waits_label": WAITS_LABELS.get(waits, ""),
            }
        )
    return render(
        request,
        "events/my_reports.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "total": paginator.count,
            "awaiting": selectors.awaiting_count(request.user),
        },
    )


# What a report waits for from its reporter, as the badge in "my reports" says it.
WAITS_LABELS = {
    "verify": gettext_lazy("Your turn: confirm the result"),
    "rate": gettext_lazy("Your turn: rate the result"),
}


# ---------------------------------------------------------------------------
# The public map (no sign-in, no personal data)


# Outlines of the districts on the public map, simplified to about 50 m.
OUTLINE_TOLERANCE_DEG = 0.0005


def _districts() -> tuple[str, dict]:
    """The public map's frame (south,west,north,east) and the districts' outlines."""
    from shapely.geometry import mapping, shape

    roots = list(Area.objects.filter(depth=1).order_by("path"))
    if not roots:
        return "", {"type": "FeatureCollection", "features": []}
    values = [
        min(a.min_lat for a in roots),
        min(a.min_lng for a in roots),
        max(a.max_lat for a in roots),
        max(a.max_lng for a in roots),
    ]
    features = []
    for area in roots:
        try:
            geometry = shape(area.boundary).simplify(OUTLINE_TOLERANCE_DEG, preserve_topology=True)
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": area.name},
                "geometry": json.loads(
                    json.dumps(mapping(geometry)), parse_float=lambda v: round(float(v), 5)
                ),
            }
        )
    return ",".join(f"{v:.6f}" for v in values), {"type": "FeatureCollection", "features": features}


@require_GET
def public_map(request):
    i18n = json.dumps(
        {
            "open": _("Open"),
            "closed": _("Closed"),
            "reported_on": _("Reported %(date)s"),
            "closed_on": _("closed %(date)s"),
            "shown": _("%(open)s open and %(closed)s closed events in view."),
            "truncated": _("Only the latest %(n)s are shown: zoom in to see all."),
            "load_failed": _("Could not load the events. Check your connection and try again."),
        },
        ensure_ascii=False,
    )
    bbox, outlines = _districts()
    return render(
        request,
        "events/public_map.html",
        {
            "map_bbox": bbox,
            "map_outlines": json.dumps(outlines, ensure_ascii=False),
            "data_url": reverse("events:public_map_data"),
            "map_i18n": i18n,
        },
    )


PUBLIC_LIMIT = 2000


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in raw.split(","))
    except ValueError:
        raise ValueError(_("bbox is four numbers: west,south,east,north.")) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ValueError(_("bbox is west,south,east,north in degrees, west < east, south < north."))
    return w, s, e, n


@require_GET
def public_map_data(request):
    """GeoJSON of open and closed events: place (rounded), category, state, dates. Nothing else."""
    bbox = None
    raw = request.GET.get("bbox", "").strip()
    if raw:
        try:
            bbox = _parse_bbox(raw)
        except ValueError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
    rows = selectors.public_events(bbox=bbox, limit=PUBLIC_LIMIT)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
            "properties": {k: v for k, v in r.items() if k not in ("lng", "lat")},
        }
        for r in rows
    ]
    response = JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": len(rows) >= PUBLIC_LIMIT,
            "limit": PUBLIC_LIMIT,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
