"""The site's own pages: "/" (each role's landing), the display-preference switch, and
``/health`` for a load balancer or a monitor."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from shezhi.core import preferences

from . import navigation


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work: the same place as after signing in (see ``landing_url``)."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(navigation.landing_url(request.user))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch 长辈模式 on ("on"=1) or off and go back to the page it was switched on."""
    on = request.POST.get("on") == "1"
    response = HttpResponseRedirect(_back(request))
    preferences.set_elder_mode(request=request, response=response, on=on)
    return response


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """200 when this process answers and reaches its database, 503 when it cannot; says
    nothing else (no versions, no counts), so it may stay public."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
