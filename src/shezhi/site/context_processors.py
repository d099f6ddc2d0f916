"""What every page's shell needs: the navigation, the person's name, the display mode."""

from __future__ import annotations

from shezhi.core import preferences

from . import navigation


def shell(request):
    return {
        "nav": lambda: navigation.for_request(request),
        "display_name": lambda: navigation.display_name_for_request(request),
        "elder_mode": lambda: preferences.elder_mode(request),
    }
