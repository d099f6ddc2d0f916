"""The site's navigation, built in one place for every page.

One table lists every place a person may go (``PLACES``); each role shows the places it may
use, its three main ones first (the phone's bottom bar, the desktop header), the rest under
"更多" (more). The templates only render what :func:`for_request` returns.

Also where each role lands after signing in and at "/" (:func:`landing_url`), and the name
shown for the signed-in person (:func:`display_name`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from shezhi.core.roles import (
    DISPATCHER_ROLES,
    GRID_ROLES,
    HANDLER_ROLES,
    SENIOR_STAFF_ROLES,
    STAFF_ROLES,
)
from shezhi.core.scope import role_holdings

# How many places the bottom bar (and the desktop header) shows before "更多".
MAIN_PLACES = 3


class Who:
    """The signed-in user's roles, read once per request (each check asked lazily)."""

    def __init__(self, user):
        self.user = user
        self.signed_in = bool(user and user.is_authenticated)
        self.superuser = self.signed_in and user.is_superuser
        self.roles = {role for role, _area in role_holdings(user)} if self.signed_in else set()
        self._cache: dict[str, bool] = {}

    def holds(self, roles) -> bool:
        return self.superuser or bool(self.roles & set(roles))

    def may(self, page: str) -> bool:
        """Whether the user holds a role the event page ``page`` admits (the same role
        groups, from ``core.roles``, the events pages check)."""
        roles = {
            "patrol": GRID_ROLES,
            "inbox": HANDLER_ROLES,
            "queue": DISPATCHER_ROLES,
            "hotline": DISPATCHER_ROLES,
            "assign": SENIOR_STAFF_ROLES,
        }[page]
        return self.holds(roles)

    def _once(self, key: str, check: Callable[[], bool]) -> bool:
        if key not in self._cache:
            self._cache[key] = bool(check())
        return self._cache[key]

    @property
    def statistics(self) -> bool:
        from shezhi.stats.selectors import top_statistics_area

        return self.signed_in and self._once(
            "statistics", lambda: top_statistics_area(self.user) is not None
        )

    @property
    def posts_manager(self) -> bool:
        from shezhi.places.services import manages_anything

        return self._once("posts", lambda: manages_anything(self.user))

    @property
    def points_staff(self) -> bool:
        from shezhi.incentives.selectors import is_points_staff

        return self.signed_in and self._once("points", lambda: is_points_staff(self.user))

    @property
    def volunteering_manager(self) -> bool:
        from shezhi.volunteering.selectors import manages_any

        return self._once("volunteering", lambda: manages_any(self.user))

    @property
    def imports_areas(self) -> bool:
        from shezhi.areas.selectors import can_import_areas

        return self.signed_in and self._once("imports", lambda: can_import_areas(self.user))

    @property
    def reads_audit_log(self) -> bool:
        from shezhi.people.audit import can_read_audit_log

        return self.signed_in and self._once("audit", lambda: can_read_audit_log(self.user))


@dataclass(frozen=True)
class Place:
    key: str
    url_name: str
    label: str
    testid: str
    shown: Callable[[Who], bool]


def _signed_in(who: Who) -> bool:
    return who.signed_in


# Every place, in the order the "more" menu lists them.
PLACES = [
    Place("report", "events:report", _("Report a problem"), "nav-report", _signed_in),
    Place("my_reports", "events:my_reports", _("My reports"), "nav-my-reports", _signed_in),
    Place("inbox", "events:inbox", _("My tasks"), "nav-inbox", lambda w: w.may("inbox")),
    Place("patrol", "events:patrol", _("Patrol report"), "nav-patrol",
          lambda w: w.may("patrol")),
    Place("spot", "events:spot", _("Handled on the spot"), "nav-spot",
          lambda w: w.may("patrol")),
    Place("queue", "events:queue_home", _("Dispatch"), "nav-queue",
          lambda w: w.may("queue")),
    Place("hotline", "events:hotline", _("12345 hotline transfer"), "nav-hotline",
          lambda w: w.may("hotline")),
    Place("assign", "events:assign", _("Assign an event"), "nav-assign",
          lambda w: w.may("assign")),
    Place("department", "events:department", _("Department"), "nav-department",
          lambda w: "department_staff" in w.roles),
    Place("dashboard", "stats:home", _("Dashboard"), "nav-dashboard", lambda w: w.statistics),
    Place("map", "events:public_map", _("Event map"), "nav-map", _signed_in),
    Place("areas", "areas:browser", _("Areas"), "nav-areas", _signed_in),
    Place("posts_manage", "places:manage", _("Service posts registry"), "nav-posts-manage",
          lambda w: w.posts_manager),
    Place("volunteering_manage", "volunteering:manage", _("Manage activities"),
          "nav-volunteering-manage", lambda w: w.volunteering_manager),
    Place("points_manage", "incentives:manage", _("Manage points"), "nav-points-manage",
          lambda w: w.points_staff),
    Place("points", "incentives:home", _("My points"), "nav-points", _signed_in),
    Place("posts", "places:nearby", _("Service posts"), "nav-posts", lambda w: True),
    Place("volunteering", "volunteering:list", _("Volunteering"), "nav-volunteering",
          lambda w: True),
    Place("import_areas", "areas:imports", _("Import areas"), "nav-import-areas",
          lambda w: w.imports_areas),
    Place("audit", "audit:log", _("Audit log"), "nav-audit", lambda w: w.reads_audit_log),
    Place("admin", "admin:index", _("Back office"), "nav-admin", lambda w: w.user.is_staff),
]  # fmt: skip

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
    who = Who(user)
    links: dict[str, Link] = {}
    for place in PLACES:
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
    who = Who(user)
    if not who.signed_in:
        return reverse("places:nearby")
    if who.superuser:  # a fresh install's first account: the areas, to import some
        return reverse("stats:home") if who.statistics else reverse("areas:browser")
    if "district_admin" in who.roles and who.statistics:
        return reverse("stats:home")
    if who.roles & set(STAFF_ROLES):
        return reverse("events:queue_home")
    if who.roles & {"micro_grid_worker", "grid_worker", "department_staff"}:
        return reverse("events:inbox")
    if "alliance_viewer" in who.roles and who.statistics:
        return reverse("stats:home")
    from shezhi.events.selectors import my_reports

    if my_reports(user).exists():
        return reverse("events:my_reports")
    return reverse("events:report")


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
