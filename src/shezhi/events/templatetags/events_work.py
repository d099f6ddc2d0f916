"""Template helpers of the working-side pages: the role-based navigation, names in the
current language, and the SLA colour badge."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (url name, label, flag that shows it, test id); "" shows it to everyone signed in.
NAV = [
    ("events:report", _("Report a problem"), "", "nav-report"),
    ("events:my_reports", _("My reports"), "", "nav-my-reports"),
    ("events:patrol", _("Patrol report"), "grid", "nav-patrol"),
    ("events:spot", _("Handled on the spot"), "grid", "nav-spot"),
    ("events:inbox", _("My tasks"), "handler", "nav-inbox"),
    ("events:queue_home", _("Dispatch"), "dispatcher", "nav-queue"),
    ("events:department", _("Department"), "department", "nav-department"),
    ("events:public_map", _("Event map"), "", "nav-map"),
    ("stats:home", _("Dashboard"), "statistics", "nav-dashboard"),
]


@register.simple_tag(takes_context=True)
def events_nav_links(context) -> list[dict]:
    """The event links the signed-in user's roles call for (computed once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_shezhi_event_nav", None)
    if cached is not None:
        return cached
    from shezhi.events.views_work import role_flags
    from shezhi.stats.selectors import top_statistics_area

    flags = role_flags(user)
    links = []
    for name, label, flag, testid in NAV:
        if flag == "statistics":  # staff roles (not residents) read their areas' KPIs
            if top_statistics_area(user) is None:
                continue
        elif flag and not getattr(flags, flag):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built (yet) is left out, not an error
            continue
        links.append({"url": url, "label": label, "testid": testid})
    user._shezhi_event_nav = links
    return links


@register.filter
def local_name(obj) -> str:
    """A category's (or anything with ``name_en``) name in the current language."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, "name", str(obj))
