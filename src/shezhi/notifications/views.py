"""The notification centre: the signed-in user's own notifications, and marking them read.

Someone else's notification is a 404, like one that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shezhi.core.lists import page_of

from . import selectors, services

PAGE_SIZE = 30


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back where the form was (its page of the list), else the list."""
    target = request.POST.get("next", "")
    if _safe(request, target) and target.startswith(reverse("notifications:list")):
        return redirect(target)
    return redirect("notifications:list")


@never_cache
@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, 30 a page, unread ones marked; ``?show=unread`` for only those.

    Numbered pages over the newest thousand, then "older" pages by cursor (``page_of``).
    """
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notifications_for(request.user, unread=True if unread_only else None)
    page = page_of(notifications, request.GET, order=selectors.ORDER, per_page=PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


@never_cache
@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (the list when it links nowhere)."""
    notification = services.mark_read(user=request.user, notification_id=pk)
    if _safe(request, notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.mark_read(user=request.user, notification_id=pk)
    return _back_to_list(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    return _back_to_list(request)
