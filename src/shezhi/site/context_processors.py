"""What every page's shell needs: the navigation, the person's name, the display mode, the
unread notifications, and the platform's settings the pages read."""

from __future__ import annotations

from django.conf import settings

import shezhi
from shezhi.core import preferences
from shezhi.notifications.selectors import unread_count

from . import navigation


def platform(request):
    unread = []  # computed once per request, on first use

    def unread_notifications():
        if not request.user.is_authenticated:
            return 0
        if not unread:
            unread.append(unread_count(request.user, cap=100))
        return unread[0]

    return {
        "unread_notifications": unread_notifications,
        "SHEZHI_VERSION": shezhi.__version__,
        "TILE_URL": settings.SHEZHI_TILE_URL,
        "TILE_ATTRIBUTION": settings.SHEZHI_TILE_ATTRIBUTION,
        "MAP_ATTRIBUTION_PREFIX": settings.SHEZHI_MAP_ATTRIBUTION_PREFIX,
    }


def shell(request):
    return {
        "nav": lambda: navigation.for_request(request),
        "display_name": lambda: navigation.display_name_for_request(request),
        "elder_mode": lambda: preferences.elder_mode(request),
    }
