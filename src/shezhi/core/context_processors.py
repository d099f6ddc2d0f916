from django.conf import settings

import shezhi


def platform(request):
    unread = []  # computed once per request, on first use

    def unread_notifications():
        if not request.user.is_authenticated:
            return 0
        if not unread:
            from shezhi.notifications.selectors import unread_count

            unread.append(unread_count(request.user, cap=100))
        return unread[0]

    return {
        "unread_notifications": unread_notifications,
        "SHEZHI_VERSION": shezhi.__version__,
        "TILE_URL": settings.SHEZHI_TILE_URL,
        "TILE_ATTRIBUTION": settings.SHEZHI_TILE_ATTRIBUTION,
        "MAP_ATTRIBUTION_PREFIX": settings.SHEZHI_MAP_ATTRIBUTION_PREFIX,
    }
