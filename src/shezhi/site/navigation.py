"""The site's navigation, built in one place for every page.

Each app contributes the places a person may go in its own ``nav.py`` (``PLACES``, each a
``shezhi.core.navigation.Place`` with an order key and a rule saying who sees it);
:func:`places` gathers them into one list. Each role shows the places it may use, its three
main ones first (the phone's bottom bar, the desktop header; ``MAIN_BY_ROLE``), the rest under
"更多" (more). The templates only render what :func:`for_request` returns.

Also where each role lands after signing in and at "/" (:func:`landing_url`), and the name
shown for the signed-in person (:func:`display_name`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who
from shezhi.core.roles import STAFF_ROLES
from shezhi.core.scope import roles_of
from shezhi.events.selectors import my_reports

# How many places the bottom bar (and the desktop header) shows before "更多".
MAIN_PLACES = 3


def who_for(user) -> Who:
    """The user and the roles they hold (read once per request: the holdings are cached)."""
    signed_in = bool(user and user.is_authenticated)
    return Who(user, roles_of(user) if signed_in else ())


def _back_office(who: Who) -> bool:
    return who.user.is_staff


# The site's own place: Django's admin, last.
SITE_PLACES = [Place("admin", "admin:index", _("Back office"), "nav-admin", _back_office, 1000)]


@functools.cache
def places() -> tuple[Place, ...]:
    """Every place, in the order the "more" menu lists them: each installed app's ``nav.py``
    contributes its ``PLACES``, ordered by their ``order`` keys."""
    found = list(SITE_PLACES)
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "nav"):
            found += import_module(f"{config.name}.nav").PLACES
    keys = [place.key for place in found]
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"Two navigation places share a key: {sorted(keys)}")
    return tuple(sorted(found, key=lambda place: place.order))


def _place(key: str) -> Place:
    return next(place for place in places() if place.key == key)


def _sees(who: Who, key: str) -> bool:
    return _place(key).shown(who)


def _url(key: str) -> str:
    return reverse(_place(key).url_name)


# Each role's main places, the first role the user holds deciding (most senior work first).
MAIN_BY_ROLE = [
    ("district_admin", ("dashboard", "queue", "assign")),
    ("street_staff", ("queue", "assign", "dashboard")),
    ("community_staff", ("queue", "inbox", "hotline")),
    ("department_staff", ("inbox", "department", "dashboard")),
    ("grid_worker", ("inbox", "patrol", "my_reports")),
    ("micro_grid_worker", ("inbox", "patrol", "my_reports")),
    ("alliance_viewer", ("dashboard", "map", "posts")),
]
MAIN_SUPERUSER = ("dashboard", "queue", "assign")
MAIN_RESIDENT = ("report", "my_reports", "points")
MAIN_ANONYMOUS = ("posts", "volunteering")


def _main_keys(who: Who) -> tuple[str, ...]:
    if not who.signed_in:
        return MAIN_ANONYMOUS
    if who.superuser:
        return MAIN_SUPERUSER
    for role, keys in MAIN_BY_ROLE:
        if role in who.roles:
            return keys
    return MAIN_RESIDENT


@dataclass(frozen=True)
class Link:
    key: str
    url: str
    label: str
    testid: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    main: list[Link]
    more: list[Link]

    @property
    def all(self) -> list[Link]:
        return self.main + self.more

    @property
    def more_current(self) -> bool:
        return any(link.current for link in self.more)


def build(user, path: str = "") -> Navigation:
    """The places ``user`` may go, main ones first; ``path`` marks the current one."""
    who = who_for(user)
    links: dict[str, Link] = {}
    for place in places():
        if not place.shown(who):
            continue
        try:
            url = reverse(place.url_name)
        except NoReverseMatch:  # a page not built (yet) is left out, not an error
            continue
        current = path.startswith(url)
        links[place.key] = Link(place.key, url, str(place.label), place.testid, current)
    # Only the best match is "current" (/events/queue/… is the queue, not /events/).
    matches = [lk for lk in links.values() if lk.current]
    best = max(matches, key=lambda lk: len(lk.url), default=None)
    links = {k: Link(lk.key, lk.url, lk.label, lk.testid, lk is best) for k, lk in links.items()}
    main_keys = [k for k in _main_keys(who) if k in links][:MAIN_PLACES]
    main = [links[k] for k in main_keys]
    more = [lk for k, lk in links.items() if k not in main_keys]
    return Navigation(main=main, more=more)


def for_request(request) -> Navigation:
    """The navigation of this request's page (computed once per request)."""
    cached = getattr(request, "_shezhi_navigation", None)
    if cached is None:
        cached = build(getattr(request, "user", None), request.path)
        request._shezhi_navigation = cached
    return cached


def landing_url(user) -> str:
    """Where ``user`` starts: their work, not a map.

    District admins (and superusers) the dashboard; community and street staff (the
    dispatchers) their queue; grid workers and department staff 我的任务; alliance viewers
    their dashboard; residents the report form, or 我的上报 once they have reported.
    """
    who = who_for(user)
    if not who.signed_in:
        return _url("posts")
    if who.superuser:  # a fresh install's first account: the areas, to import some
        return _url("dashboard") if _sees(who, "dashboard") else _url("areas")
    if "district_admin" in who.roles and _sees(who, "dashboard"):
        return _url("dashboard")
    if who.roles & set(STAFF_ROLES):
        return _url("queue")
    if who.roles & {"micro_grid_worker", "grid_worker", "department_staff"}:
        return _url("inbox")
    if "alliance_viewer" in who.roles and _sees(who, "dashboard"):
        return _url("dashboard")
    if my_reports(user).exists():
        return _url("my_reports")
    return _url("report")


DISPLAY_NAME_KEY = "shezhi_display_name"


def display_name_for_request(request) -> str:
    """:func:`display_name` of the request's user, looked up once per session (a name
    changed meanwhile shows from the next sign-in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    session = getattr(request, "session", None)
    cached = session.get(DISPLAY_NAME_KEY) if session is not None else None
    if cached and cached.get("user") == user.pk:
        return cached["name"]
    name = display_name(user)
    if session is not None:
        session[DISPLAY_NAME_KEY] = {"user": user.pk, "name": name}
    return name


def display_name(user) -> str:
    """The signed-in person's name: the account's full name, else the linked person's
    name (人员台账), else the username."""
    if user is None or not user.is_authenticated:
        return ""
    full = user.get_full_name().strip()
    if full:
        return full
    try:
        person = user.person
    except ObjectDoesNotExist:  # no person linked to this sign-in
        person = None
    name = getattr(person, "name", "") if person is not None else ""
    return name or user.get_username()
