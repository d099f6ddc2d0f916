"""当场处置 on the worker's phone: one page, one tap, the event closed (or sent to the
community's spot check). Thin: the form parses, ``spot.handle_on_spot`` decides."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shezhi.core.pages import attempt

from . import permissions, spot
from .models import Event
from .spot_forms import SpotForm
from .views_report import _frame, _map_i18n, _submitted_point, detail_url

# A service error's field → the form field it is shown next to.
ERROR_FIELDS = {"location": "lng", "lat": "lng", "photos": "after_photos", "key": None}


def _spot_done(done) -> str:
    if done.event.state == Event.State.CLOSED:
        return _("Handled on the spot and closed.")
    return _(
        "Handled on the spot. It was drawn for a spot check: the"
        " community verifies it before it closes."
    )


@login_required
@require_http_methods(["GET", "POST"])
def spot_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not spot.may_handle_on_spot(user):
        raise Http404
    status = 200
    if request.method == "POST":
        form = SpotForm(request.POST, request.FILES)
        if form.is_valid():
            done = attempt(
                request,
                spot.handle_on_spot,
                form=form,
                fields=ERROR_FIELDS,
                actor=user,
                success=_spot_done,
                **form.service_kwargs(),
            )
            if done:
                return redirect(detail_url(done.value.event.pk))
            status = done.status
        else:
            status = 400
    else:
        form = SpotForm()
    bbox, outlines = _frame(permissions.held_areas(user, "spot_handle"))
    return render(
        request,
        "events/spot_form.html",
        {
            "form": form,
            "location_errors": form.errors.get("lng", []) + form.errors.get("lat", []),
            "map_bbox": ",".join(f"{v:.6f}" for v in bbox) if bbox else "",
            "map_outlines": json.dumps(outlines),
            "map_point": _submitted_point(form),
            "map_i18n": _map_i18n(),
        },
        status=status,
    )
