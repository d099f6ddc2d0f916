from django.conf import settings

import shezhi


def platform(request):
    def can_import_areas():
        from shezhi.areas.selectors import can_import_areas as check

        return request.user.is_authenticated and check(request.user)

    def can_read_audit_log():
        from shezhi.people.audit import can_read_audit_log as check

        return request.user.is_authenticated and check(request.user)

    unread = []  # computed once per request, on first use

    def unread_notifications():
        if not request.user.is_authenticated:
            return 0
        if not unread:
            from shezhi.notifications.selectors import unread_count

            unread.append(unread_count(request.user, cap=100))
        return unread[0]

    return {
        "can_import_areas": can_import_areas,
        "can_read_audit_log": can_read_audit_log,
        "unread_notifications": unread_notifications,
        "SHEZHI_VERSION": shezhi.__version__,
        "TILE_URL": settings.SHEZHI_TILE_URL,
        "TILE_ATTRIBUTION": settings.SHEZHI_TILE_ATTRIBUTION,
    }
