"""The scope matrix: every page and API endpoint, as every role, must not leak.

Every URL pattern of the project (the back office aside) must be listed in
``ROUTES`` below, or this test fails: a new page or endpoint cannot ship without
being checked here. For each route that names an object, each role's user asks
for an object outside their scope (in another district, and — for roles held
below the district — in another street) and must get a 404; asking for one
inside their scope must never be a server error.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from shezhi.areas.models import Area, AreaImport
from shezhi.core.models import Role
from shezhi.events import services as event_services
from shezhi.incentives import services as points_services
from shezhi.incentives.models import Reward
from shezhi.notifications.models import Notification
from shezhi.people import services as people_services
from shezhi.places.models import ServiceHub, ServicePost
from shezhi.volunteering.models import VolunteerActivity
from tests.factories import (
    PASSWORD,
    AreaImportFactory,
    EmergencyPeriodFactory,
    EventPhotoFactory,
    HouseholdImportFactory,
    NotificationFactory,
    RedemptionFactory,
    RewardFactory,
    RosterImportFactory,
    ServicePostFactory,
    TransferFactory,
    VolunteerActivityFactory,
    make_area,
    make_user,
    square,
)
from tests.people.conftest import valid_id_number
from tests.projects import matrix as project_matrix

pytestmark = pytest.mark.django_db

CASE_PAGES = ("", "photos/<int:photo_id>/", "edit/", "review/", "publish/", "unpublish/")
CASE_STEPS = ("review", "publish", "unpublish")

# Routes that name no object: reachable by anyone signed in (or public), scoped inside.
UNSCOPED = {
    "",
    "accounts/login/",
    "accounts/logout/",
    "i18n/setlang/",
    "preferences/elder-mode/",  # the caller's own display preference (tests/core)
    "health",  # public: 200 or 503, nothing else (tests/core/test_health.py)
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/auth/token",
    "api/v1/",
    "api/v1/areas",  # list: scoped by the selector, tested in tests/areas/test_api.py
    "api/v1/people",  # needs ?area=: covered below as an area route
    "api/v1/departments",
    "api/v1/assignments",  # POST; refuses out-of-scope people/areas (tests/people/test_api.py)
    "api/v1/locate",  # answers only points inside the caller's scope (tests/areas/test_api.py)
    "areas/",
    "areas/imports/",
    "people/audit/",
    "people/roster/",  # upload form; refuses areas outside scope (tests/people/test_roster.py)
    "people/roster/template/",  # the empty template
    "households/import/",  # upload form; writes only where the importer works (tests/households)
    "households/import/template/",  # the empty template
    "notifications/",  # the user's own only
    "notifications/read-all/",
    "api/v1/notifications",
    "api/v1/notifications/unread-count",
    "api/v1/notifications/read-all",
    "api/v1/health",  # public, touches nothing
    "api/v1/events/categories",
    "api/v1/events",  # POST creates; GET is scoped by the selector (and ?area= below)
    "api/v1/events/with-photos",
    # 当场处置: grid workers only (403), inside their own grid (tests/events/test_spot_api.py)
    "api/v1/events/on-spot",
    # The micro-projects' staff desk and its funds page: lists of the caller's own
    # community (404 for non-staff); each object they open is checked (tests/projects).
    "projects/staff/",
    "projects/staff/funds/",
    "api/v1/whistles/summonses",  # the caller's own departments only
    "api/v1/events/public",  # public, anonymised (tests/events/test_api.py)
    # Report forms: role-gated (404 otherwise); report_event checks the area.
    "events/report/",
    "events/patrol/",
    "events/spot/",  # grid workers only; spot.handle_on_spot checks their own grid
    "events/hotline/",
    "events/assign/",
    "events/mine/",  # the user's own reports
    "events/report/held/<int:pk>/",  # the user's own held photos only (test_report_pages.py)
    "events/map/",  # public, anonymised
    "events/map/data.json",
    "events/inbox/",  # the user's own tasks
    "events/queue/",  # redirects to the user's own area
    "events/department/",  # the user's own departments
    "api/v1/stats/definitions",  # the KPI definitions, no data
    "stats/",  # redirects to the dashboard of the user's own area
    # The stats routes take their area in the query string: AREA_QUERY_ROUTES.
    "api/v1/stats/kpis",
    "api/v1/stats/rankings/areas",
    "api/v1/stats/rankings/departments",
    "api/v1/stats/rankings/workers",
    # Service posts are public information: lists and an active post's page for anyone.
    "posts/",
    "posts/nearby.json",
    "posts/<int:pk>/",
    "posts/<int:pk>/photos/<int:photo_id>/",
    "api/v1/posts",  # GET public; POST checks the area it locates to (tests/places)
    "api/v1/posts/<post_id>",  # GET public; PATCH scoped (tests/places/test_api.py)
    "posts/manage/",  # the selector's list; 404 for users who manage nothing
    "posts/manage/new/",
    "api/v1/posts/manage",  # scoped list; ?area= outside scope is a 404 (tests/places)
    # Service hubs are public too: the directory, a hub's page, its figures (counts only).
    "hubs/",
    "hubs/<int:pk>/",
    "hubs/manage/",  # the selector's list; 404 for users who manage nothing
    "hubs/manage/new/",  # the service checks the area or compound (tests/places/test_hubs.py)
    "api/v1/hubs",  # GET public; POST checks the area or compound (tests/places/test_hubs.py)
    "api/v1/hubs/at",
    "api/v1/hubs/<hub_id>",  # GET public; PATCH scoped (tests/places/test_hubs.py)
    "api/v1/hubs/<hub_id>/figures",
    # Volunteer activities are public; anyone signed in may volunteer anywhere.
    "volunteering/",
    "volunteering/<int:pk>/",
    "volunteering/<int:pk>/sign-up/",
    "volunteering/<int:pk>/cancel-sign-up/",
    "volunteering/mine/",  # the user's own
    "volunteering/scan/<str:token>/",  # a signed, expiring token (tests/volunteering)
    "volunteering/manage/",  # the selector's list
    "volunteering/manage/new/",  # ?post= outside scope is a 404 (tests/volunteering)
    "api/v1/volunteering/activities",  # GET public; POST checks the post (tests/volunteering)
    "api/v1/volunteering/activities/<activity_id>",  # GET public; PATCH scoped
    "api/v1/volunteering/activities/<activity_id>/signup",
    "api/v1/volunteering/activities/<activity_id>/cancel-signup",
    "api/v1/volunteering/mine",
    "api/v1/volunteering/scan",
    "api/v1/volunteering/manage/activities",
    # Points: the caller's own, or lists scoped by the selectors (tests/incentives).
    "api/v1/points/balance",
    "api/v1/points/leaderboard",  # ?area=: AREA_QUERY_ROUTES
    "api/v1/points/statement",  # ?user= outside scope is a 404 (tests/incentives/test_api.py)
    # ?district=: readable by anyone holding a role in that district (tests/incentives)
    "api/v1/points/rules",
    "api/v1/points/rules/<kind>",  # PUT; ?district= outside scope is a 404 (tests/incentives)
    "api/v1/points/rewards",  # GET the caller's catalogue; POST checks the area
    "api/v1/points/rewards/managed",
    "api/v1/points/redemptions",
    "api/v1/points/redemptions/managed",
    "points/",
    "points/rewards/",
    "points/leaderboard/",  # ?area=: AREA_QUERY_ROUTES
    "points/leaderboard/export.xlsx",  # ?area=: AREA_QUERY_ROUTES
    "points/rules/",  # ?district= outside scope is a 404 (tests/incentives/test_pages.py)
    "points/manage/",  # staff only; scoped lists
    "points/manage/rewards/new/",
    # Households: the caller's own scope; a body's ID number is looked up inside it.
    "households/overview/",  # redirects to the figures of the user's own area
    "api/v1/households/residents/lookup",  # POST; 404 outside scope (tests/households)
    # Lists scoped by the selectors; ?area= below (AREA_QUERY_ROUTES). POSTs create inside
    # the caller's scope only (tests/households/test_api.py).
    "households/",
    "api/v1/households",
    "api/v1/households/compounds",
    "api/v1/households/buildings",
    "api/v1/households/residents",
    "api/v1/households/counts",
    # Residents' own sign-ins: no credentials yet (sign-up, codes), or the caller's own
    # request and household only; a worker's list is scoped by the selector
    # (tests/accounts, tests/households/test_binding.py).
    "accounts/signup/",
    "accounts/code/",
    "accounts/phone/",
    "api/v1/accounts/codes",
    "api/v1/accounts/signup",
    "api/v1/accounts/signin/code",
    "api/v1/accounts/signin/password",
    "households/bind/",  # chooses places by name (public), asks for the caller only
    "households/mine/",
    "households/bindings/",
    "api/v1/accounts/places",
    "api/v1/accounts/binding",
    "api/v1/accounts/household",
    "api/v1/accounts/binding/requests",
    # Operations meeting the caller's areas (selectors.visible_operations); POST starts one
    # in an area the caller may reach (get_area: 404 outside), tests/operations.
    "operations/",
    "api/v1/operations",
    # Visits: the caller's own scope (a worker's own, ?all=1 their area's); ?area= below.
    "visits/",
    "api/v1/visits",  # POST records inside the caller's scope only (tests/visits/test_api.py)
    "demands/",  # the resident's own demands and form (tests/demands/test_pages.py)
    "api/v1/demands",  # the caller's own or their scope's; POST collects in scope (tests/demands)
    "api/v1/demand-groups",  # scoped by the selector (tests/demands/test_api.py)
    # The case library is public once published; drafts are scoped (tests/cases).
    "cases/",
    "cases/manage/",  # the staff's own scope's cases
    "cases/new/",  # writes only in the writer's areas, from a source of theirs (tests/cases)
    # Published: anyone, signed in or not; ?status= drafts: the caller's scope (tests/cases).
    "api/v1/cases",
    # Organisations: the registry is the selector's list (404 for those who read none);
    # the public pages show counts and the leader's masked name to anyone.
    "organisations/",
    "organisations/new/",  # the choices are the staff's own communities (tests/organisations)
    "organisations/o/<int:pk>/",
    "organisations/community/<str:code>/",
    "api/v1/organisations/<org_id>/public",
    # Their area in the query string: AREA_QUERY_ROUTES (POST checks the area it names).
    "api/v1/organisations",
    "api/v1/organisations/funnel",
    "api/v1/stats/forces",
    "api/v1/projects",  # scoped by the selector; POST proposes where one lives (tests/projects)
    "api/v1/project-review-queue",  # scoped to the staff's areas (tests/projects/test_api.py)
    "api/v1/project-funds",  # scoped to the staff's areas (tests/projects/test_api.py)
    "projects/",  # the selector's list (tests/projects/test_resident_pages.py)
    "projects/new/",  # proposes only where one lives (tests/projects/test_resident_pages.py)
    "api/v1/stats/visit-coverage",  # ?area=: AREA_QUERY_ROUTES
    "lists/",  # the lists in scope (selector); POST refuses areas outside it (tests/lists)
    "lists/resources/",  # the resources in scope or serving it; POST as above
    "lists/community/",  # a redirect to the caller's own community's public list
    "lists/public/<str:code>/",  # public: a community's published items, nobody named
    "lists/items/<int:pk>/public/",  # public: one published item, nobody named
    "api/v1/lists",  # scoped by the selector; POST refuses areas outside scope
    "api/v1/lists/items",  # scoped by the selector (tests/lists/test_api.py)
    "api/v1/lists/projects",  # scoped by the selector
    "api/v1/lists/public/<code>",  # public, as its page
    "api/v1/resources",  # scoped by the selector; POST refuses areas outside scope
    "demands/queue/",  # the staff's grouping queue, scoped by the selector (tests/demands)
    "api/v1/demands/with-photos",  # POST: as api/v1/demands, with photos (tests/demands)
    "api/v1/stats/participation",  # ?area=: AREA_QUERY_ROUTES
    "api/v1/stats/projects",  # ?area=: AREA_QUERY_ROUTES
    # Campaigns: the list and its form scoped by the selector; POST creates in the caller's
    # scope only (tests/campaigns).
    "campaigns/",
    "api/v1/campaigns",
    "api/v1/campaigns/figures",  # the stage figures' definitions: no data
}

# An operation's check and hand-out, as the page's form and the API send them.
CHECK = {"outcome": "reached", "request_key": "matrix"}
HAND_OUT = {"item": "安居包", "quantity": 1, "signed_by": "王", "request_key": "matrix"}

# A list item's match, as the page's form and the API send it.
MATCH = {"resource": 1, "plan": "每周送餐", "starts_on": "2026-03-01", "ends_on": "2026-05-31"}
# Campaigns (社治专列): the campaign, its rounds, broadcasts, packages and results.
MICRO1_CODE = "510113001001001001"
CAMPAIGN_ROUTES = {
    "campaigns/<int:pk>/": ("get", "campaign", ""),
    "campaigns/<int:pk>/broadcast/": ("get", "campaign", ""),
    "campaigns/rounds/<int:pk>/": ("get", "round", ""),
    "campaigns/broadcasts/<int:pk>/": ("get", "broadcast", ""),
    "campaigns/packages/<int:pk>/": ("get", "package", ""),
    "api/v1/campaigns/<campaign_id>": ("get", "campaign", ""),
    "api/v1/campaigns/<campaign_id>/stage": ("post", "campaign", {"stage": "publish"}),
    "api/v1/campaigns/<campaign_id>/rounds": ("post", "campaign", {
        "title": "小红帽", "area": MICRO1_CODE, "day": "2026-12-06", "workers": [1],
    }),
    "api/v1/campaigns/<campaign_id>/broadcasts": ("post", "campaign", {
        "area": MICRO1_CODE, "title": "小广播", "body": "征集", "question": "想要什么？",
    }),
    "api/v1/campaigns/<campaign_id>/packages": ("post", "campaign", {
        "name": "安居包", "contents": "适老化", "area": MICRO1_CODE,
    }),
    "api/v1/campaigns/<campaign_id>/results": ("get", "campaign", ""),
    "api/v1/campaigns/rounds/<round_id>": ("get", "round", ""),
    "api/v1/campaigns/rounds/<round_id>/stops": ("post", "round", {
        "address": "东风路1号", "wish": "路灯不亮", "kind": "safety",
    }),
    "api/v1/campaigns/broadcasts/<broadcast_id>": ("get", "broadcast", ""),
    "api/v1/campaigns/broadcasts/<broadcast_id>/answer": ("post", "broadcast", {"text": "食堂"}),
    "api/v1/campaigns/packages/<package_id>": ("get", "package", ""),
    "api/v1/campaigns/packages/<package_id>/take-ups": ("post", "package", {
        "household": 1, "answer": "taken",
    }),
    "api/v1/campaigns/results/<result_id>/publish": ("post", "result", {}),
}  # fmt: skip

# Route → (method, kind of object it names, query string / body).
# Micro-projects: each names the project (and a payment of it) by id.
PROJECT_ROUTES = {
    "api/v1/projects/<project_id>": ("get", "project", ""),
    "api/v1/projects/<project_id>/accounts": ("get", "project", ""),
    "api/v1/projects/<project_id>/back": ("post", "project", {}),
    "api/v1/projects/<project_id>/review": (
        "post", "project", {"decision": "refuse", "reason": "重复"},
    ),
    "api/v1/projects/<project_id>/resubmit": ("post", "project", {}),
    "api/v1/projects/<project_id>/pledges": ("post", "project", {"amount": 100}),
    "api/v1/projects/<project_id>/payments": ("post", "project", project_matrix.PAY),
    "api/v1/projects/<project_id>/payments/batch": (
        "post", "project", {"lines": [project_matrix.PAY]},
    ),
    "api/v1/projects/<project_id>/payments/<payment_id>/refund": (
        "post", "project", {"reason": "退出"},
    ),
    "api/v1/projects/<project_id>/payments/<payment_id>/reverse": (
        "post", "project", {"reason": "记错"},
    ),
    "api/v1/projects/<project_id>/close-funding": ("post", "project", {}),
    "api/v1/projects/<project_id>/milestones": (
        "post", "project", {"title": "采购", "due": "2030-01-01"},
    ),
    "api/v1/projects/<project_id>/expenses": (
        "post", "project", {"payee": "店", "description": "器材", "amount": 100},
    ),
    "api/v1/projects/<project_id>/complete": ("post", "project", {"closing_note": "完成"}),
    "api/v1/projects/<project_id>/ratings": ("post", "project", {"stars": 5}),
    # Photos through the API (multipart) and the staff's pages (h17s).
    "api/v1/projects/<project_id>/photos": ("get", "project", ""),
    "api/v1/projects/<project_id>/photos/<photo_id>": ("get", "project", ""),
    "api/v1/projects/<project_id>/payments/with-photos": ("post", "project", project_matrix.PAY),
    "api/v1/projects/<project_id>/payments/<payment_id>/receipt": ("get", "project", ""),
    "api/v1/projects/<project_id>/expenses/with-photos": (
        "post", "project", {"payee": "店", "description": "器材", "amount": 100},
    ),
    "api/v1/projects/<project_id>/expenses/<expense_id>/receipt": ("get", "project", ""),
    "api/v1/projects/<project_id>/milestones/<milestone_id>/done": ("post", "project", {}),
    "api/v1/projects/<project_id>/milestones/<milestone_id>/photo": ("get", "project", ""),
    "projects/staff/<int:pk>/review/": ("get", "project", ""),
    "projects/staff/<int:pk>/payments/": ("get", "project", ""),
    "projects/staff/<int:pk>/accounts.xlsx": ("get", "project", ""),
    "projects/staff/funds/<int:pk>/": ("get", "project_fund", ""),
    "projects/staff/funds/<int:pk>/top-up/": (
        "post", "project_fund", {"amount": "1.00", "reference": "matrix"},
    ),
    "projects/staff/funds/<int:pk>/statement.xlsx": ("get", "project_fund", ""),
}  # fmt: skip

ROUTES = {
    "api/v1/areas/<code>": ("get", "area", ""),
    "api/v1/areas/<code>/children": ("get", "area", ""),
    "api/v1/areas/<code>/boundary": ("get", "area", ""),
    "api/v1/areas/<code>/children/boundaries": ("get", "area", ""),
    "api/v1/areas/<code>/team": ("get", "area", ""),
    "api/v1/areas/<code>/candidates": ("get", "area", ""),
    "api/v1/areas/<code>/workforce": ("get", "area", ""),
    "api/v1/people/<person_id>": ("get", "person", ""),
    "api/v1/people/<person_id>/reveal": (
        "post",
        "person",
        {"field": "phone", "reason": "核实身份信息"},
    ),
    "api/v1/assignments/<assignment_id>/end": ("post", "assignment", {"reason": "核实"}),
    "areas/<str:code>/": ("get", "area", ""),
    "areas/imports/<int:pk>/": ("get", "import", ""),
    "people/area/<str:code>/": ("get", "area", ""),
    "people/team/<str:code>/": ("get", "area", ""),
    "people/counts/<str:code>/": ("get", "area", ""),
    "people/<int:pk>/": ("get", "person", ""),
    "people/<int:pk>/reveal/": ("post", "person", {"field": "phone", "reason": "核实身份信息"}),
    "people/roster/export/<str:code>/": ("get", "area", ""),
    "people/roster/<int:pk>/": ("get", "roster_import", ""),
    "notifications/<int:pk>/": ("get", "notification", ""),
    "notifications/<int:pk>/read/": ("post", "notification", {}),
    "api/v1/notifications/<notification_id>/read": ("post", "notification", {}),
    "api/v1/events/<event_id>": ("get", "event", ""),
    "api/v1/events/<event_id>/timeline": ("get", "event", ""),
    "api/v1/events/<event_id>/whistles": ("get", "event", ""),
    "api/v1/events/<event_id>/photos/<photo_id>": ("get", "event", ""),
    "api/v1/events/<event_id>/actions/<action>": ("post", "event", {"reason": "核实"}),
    "api/v1/events/<event_id>/actions/<action>/with-photos": ("post", "event", {"reason": "核实"}),
    "api/v1/areas/<code>/emergency": ("post", "area", {"reason": "暴雨"}),
    "api/v1/areas/<code>/emergency/end": ("post", "area", {}),
    "events/<int:pk>/": ("get", "event", ""),
    "events/<int:pk>/act/<str:action>/": ("post", "event", {"version": "0", "reason": "核实"}),
    "events/<int:pk>/photos/<int:photo_id>/": ("get", "event", ""),
    "events/queue/<str:code>/": ("get", "area", ""),
    "events/emergency/<str:code>/": ("get", "area", ""),
    "stats/<str:code>/": ("get", "area", ""),
    "stats/<str:code>/data.json": ("get", "area", ""),
    "stats/<str:code>/heat.json": ("get", "area", ""),
    "stats/<str:code>/wall/": ("get", "area", ""),
    "stats/<str:code>/export.xlsx": ("get", "area", ""),
    "stats/<str:code>/report.pdf": ("get", "area", ""),
    "posts/manage/<int:pk>/edit/": ("get", "post", ""),
    "hubs/manage/<int:pk>/edit/": ("get", "hub", ""),
    "posts/manage/<int:pk>/deactivate/": ("post", "post", {}),
    "posts/manage/<int:pk>/reactivate/": ("post", "post", {}),
    "api/v1/posts/manage/<post_id>": ("get", "post", ""),
    "api/v1/posts/<post_id>/photos": ("post", "post", {}),
    "volunteering/manage/<int:pk>/": ("get", "activity", ""),
    "volunteering/manage/<int:pk>/edit/": ("get", "activity", ""),
    "volunteering/manage/<int:pk>/cancel/": ("post", "activity", {"reason": "下雨"}),
    "volunteering/manage/<int:pk>/qr/": ("get", "activity", ""),
    "volunteering/manage/<int:pk>/qr/current.json": ("get", "activity", ""),
    "volunteering/manage/<int:pk>/sign-ups/<int:signup_id>/<str:action>/": (
        "post",
        "activity",
        {},
    ),
    "api/v1/volunteering/activities/<activity_id>/cancel": ("post", "activity", {"reason": "雨"}),
    "api/v1/volunteering/activities/<activity_id>/roster": ("get", "activity", ""),
    "api/v1/volunteering/activities/<activity_id>/code": ("get", "activity", ""),
    "api/v1/volunteering/activities/<activity_id>/signups/<signup_id>/<action>": (
        "post",
        "activity",
        {},
    ),
    "api/v1/points/rewards/<reward_id>": (
        "put",
        "reward",
        {"area": "x", "name": "x", "kind": "goods", "cost": 1},
    ),
    "api/v1/points/rewards/<reward_id>/redeem": ("post", "reward", {"quantity": 1}),
    "api/v1/points/redemptions/<redemption_id>/cancel": ("post", "redemption", {"reason": "x"}),
    "api/v1/points/redemptions/<redemption_id>/hand-over": ("post", "redemption", {}),
    "api/v1/points/transfers/<transfer_id>/reverse": ("post", "transfer", {"reason": "更正"}),
    "points/rewards/<int:pk>/redeem/": ("post", "reward", {"quantity": "1"}),
    "points/redemptions/<int:pk>/cancel/": ("post", "redemption", {}),
    "points/manage/rewards/<int:pk>/edit/": ("get", "reward", ""),
    "points/manage/redemptions/<int:pk>/hand-over/": ("post", "redemption", {}),
    "points/manage/redemptions/<int:pk>/cancel/": ("post", "redemption", {"reason": "x"}),
    "points/people/<int:user_id>/": ("get", "user", ""),
    "points/transfers/<int:pk>/reverse/": ("post", "transfer", {"reason": "更正"}),
    "households/<int:pk>/": ("get", "household", ""),
    "households/residents/<int:pk>/": ("get", "resident", ""),
    "households/residents/<int:pk>/reveal/": (
        "post",
        "resident",
        {"field": "phone", "reason": "上门走访联系"},
    ),
    "households/residents/<int:pk>/tags/": ("post", "resident", {"tags": ["veteran"]}),
    "households/overview/<str:code>/": ("get", "area", ""),
    "households/export/<str:code>/": ("get", "area", ""),
    "households/import/<int:pk>/": ("get", "household_import", ""),
    "api/v1/households/imports/<import_id>": ("get", "household_import", ""),
    "api/v1/households/compounds/<compound_id>": ("get", "compound", ""),
    "api/v1/households/buildings/<building_id>": ("get", "building", ""),
    "api/v1/households/<household_id>": ("get", "household", ""),
    "api/v1/households/residents/<resident_id>": ("get", "resident", ""),
    "api/v1/households/residents/<resident_id>/tags": ("put", "resident", {"tags": ["veteran"]}),
    "api/v1/households/residents/<resident_id>/move": ("post", "resident", {"to_household": 1}),
    "api/v1/households/residents/<resident_id>/reveal": (
        "post",
        "resident",
        {"field": "phone", "reason": "上门走访联系"},
    ),
    "households/bindings/<int:pk>/decide/": (
        "post",
        "binding",
        {"action": "refuse", "reason": "户内无此人"},
    ),
    "api/v1/accounts/binding/requests/<binding_id>/decide": (
        "post",
        "binding",
        {"confirm": False, "reason": "户内无此人"},
    ),
    "operations/start/<str:code>/": ("get", "area", ""),
    "operations/<int:pk>/": ("get", "operation", ""),
    "operations/<int:pk>/wall/": ("get", "operation", ""),
    "operations/<int:pk>/data.json": ("get", "operation", ""),
    "operations/<int:pk>/check/": ("get", "operation", ""),
    "operations/<int:pk>/lines/<int:line_id>/check/": ("post", "operation", CHECK),
    "operations/<int:pk>/lines/<int:line_id>/hand-out/": ("post", "operation", HAND_OUT),
    "operations/<int:pk>/roll-call/": ("post", "operation", {"status": "unavailable"}),
    "operations/<int:pk>/stand-down/": ("post", "operation", {}),
    "operations/<int:pk>/report.xlsx": ("get", "operation", ""),
    "operations/<int:pk>/report.pdf": ("get", "operation", ""),
    "api/v1/operations/<operation_id>": ("get", "operation", ""),
    "api/v1/operations/<operation_id>/dashboard": ("get", "operation", ""),
    "api/v1/operations/<operation_id>/stand-down": ("post", "operation", {}),
    "api/v1/operations/<operation_id>/lines": ("get", "operation", ""),
    "api/v1/operations/<operation_id>/lines/<line_id>/check": ("post", "operation", CHECK),
    "api/v1/operations/<operation_id>/lines/<line_id>/hand-outs": ("post", "operation", HAND_OUT),
    "api/v1/operations/<operation_id>/roll-call": ("post", "operation", {"status": "unavailable"}),
    "visits/new/<int:household>/": ("get", "household", ""),
    "visits/<int:pk>/": ("get", "visit", ""),
    "visits/<int:pk>/photos/<int:photo_id>/": ("get", "visit", ""),
    "api/v1/visits/<visit_id>": ("get", "visit", ""),
    "events/from-visit/<int:pk>/": ("post", "visit", {"item": "gas"}),
    "api/v1/demands/<demand_id>": ("get", "demand", ""),
    "api/v1/demands/<demand_id>/close": ("post", "demand", {"outcome": "已解决"}),
    "api/v1/demands/<demand_id>/split": ("post", "demand", {}),
    "api/v1/demand-groups/<group_id>": ("get", "demand_group", ""),
    "api/v1/demand-groups/<group_id>/confirm": ("post", "demand_group", {}),
    "api/v1/demand-groups/<group_id>/merge": ("post", "demand_group", {"other": 1}),
    "lists/<int:pk>/": ("get", "needs_list", ""),
    "lists/<int:pk>/publish/": ("post", "needs_list", {}),
    "lists/items/<int:pk>/": ("get", "needs_item", ""),
    "lists/items/<int:pk>/move/": ("post", "needs_item", {"to": "in_delivery"}),
    "lists/items/<int:pk>/match/": ("post", "needs_item", MATCH),
    "lists/items/<int:pk>/rate/": ("post", "needs_item", {"score": 5}),
    "api/v1/lists/<list_id>": ("get", "needs_list", ""),
    "api/v1/lists/<list_id>/publish": ("post", "needs_list", {}),
    "api/v1/lists/<list_id>/items": ("post", "needs_list", {"groups": [1]}),
    "api/v1/lists/items/<item_id>": ("get", "needs_item", ""),
    "api/v1/lists/items/<item_id>/move": ("post", "needs_item", {"to": "in_delivery"}),
    "api/v1/lists/items/<item_id>/suggestions": ("get", "needs_item", ""),
    "api/v1/lists/items/<item_id>/match": ("post", "needs_item", MATCH),
    "api/v1/lists/items/<item_id>/ratings": ("post", "needs_item", {"score": 5}),
    "api/v1/resources/<resource_id>": ("get", "resource", ""),
    "api/v1/resources/<resource_id>/active": ("post", "resource", {"active": False}),
    # Cases: an unpublished case is its area's staff's business (a published one is public).
    **{
        f"cases/<int:pk>/{tail}": (
            "post" if tail.endswith("publish/") or tail == "review/" else "get",
            "case",
            {},
        )
        for tail in CASE_PAGES
    },
    "api/v1/cases/<case_id>": ("get", "case", ""),
    **{f"api/v1/cases/<case_id>/{step}": ("post", "case", {}) for step in CASE_STEPS},
    "demands/queue/groups/<int:pk>/confirm/": ("post", "demand_group", {}),
    "demands/queue/groups/<int:pk>/merge/": ("post", "demand_group", {"into": 1}),
    "demands/queue/demands/<int:pk>/split/": ("post", "demand", {}),
    "demands/<int:pk>/photos/<int:photo_id>/": ("get", "demand", ""),
    "api/v1/demands/<demand_id>/photos/<photo_id>": ("get", "demand", ""),
    **CAMPAIGN_ROUTES,
    "organisations/<int:pk>/": ("get", "organisation", ""),
    "organisations/<int:pk>/members/": ("post", "organisation", {"id_number": "x" * 18}),
    "organisations/<int:pk>/members/<int:member_id>/leave/": ("post", "organisation", {}),
    "organisations/<int:pk>/stage/": ("post", "organisation", {"stage": "incubating"}),
    "organisations/<int:pk>/support/": ("post", "organisation", {"kind": "money"}),
    "organisations/<int:pk>/activities/": ("post", "organisation", {"target": 1}),
    "organisations/<int:pk>/demands/": ("post", "organisation", {"target": 1}),
    "organisations/funnel/<str:code>/": ("get", "area", ""),
    "api/v1/organisations/<org_id>": ("get", "organisation", ""),
    "api/v1/organisations/<org_id>/members": ("post", "organisation", {"resident": 1}),
    "api/v1/organisations/<org_id>/members/<member_id>/leave": ("post", "organisation", {}),
    "api/v1/organisations/<org_id>/stage": ("post", "organisation", {"stage": "incubating"}),
    "api/v1/organisations/<org_id>/supports": ("post", "organisation", {"kind": "money"}),
    "api/v1/organisations/<org_id>/activities": ("post", "organisation", {"activity": 1}),
    "api/v1/organisations/<org_id>/demand-groups": ("post", "organisation", {"group": 1}),
    **PROJECT_ROUTES,
    **project_matrix.PAGE_ROUTES,
}
# A list route that takes its area in the query string.
AREA_QUERY_ROUTES = {
    "api/v1/people": "area",
    "api/v1/events": "area",
    "api/v1/stats/kpis": "area",
    "api/v1/stats/rankings/areas": "area",
    "api/v1/stats/rankings/departments": "area",
    "api/v1/stats/rankings/workers": "area",
    "api/v1/points/leaderboard": "area",
    "points/leaderboard/": "area",
    "points/leaderboard/export.xlsx": "area",
    "households/": "area",
    "api/v1/households": "area",
    "api/v1/households/compounds": "area",
    "api/v1/households/buildings": "area",
    "api/v1/households/residents": "area",
    "api/v1/households/counts": "area",
    "api/v1/visits": "area",
    "api/v1/stats/visit-coverage": "area",
    "api/v1/stats/participation": "area",
    "api/v1/organisations": "area",
    "api/v1/organisations/funnel": "area",
    "api/v1/stats/forces": "area",
    "api/v1/stats/projects": "area",
}


def all_routes() -> list[str]:
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    return [r for r in found if not r.startswith(("admin/", "static/", "media/"))]


def test_every_route_is_in_the_matrix():
    missing = [r for r in all_routes() if r not in ROUTES and r not in UNSCOPED]
    assert missing == [], f"add these routes to the scope matrix: {missing}"


# Path parameters that are a choice, not an object: filled with a valid choice.
CHOICES = {"api/v1/volunteering/activities/<activity_id>/signups/<signup_id>/<action>": {
    "action": "check-in"
}}  # fmt: skip


def fill(route: str, value) -> str:
    import re

    choices = CHOICES.get(route, {})

    def one(match):
        name = match.group(1).split(":")[-1]
        return str(choices.get(name, value))

    return "/" + re.sub(r"<([^>]+)>", one, route)


@pytest.fixture
def world(territory):
    """Objects inside district A's street 1, in its street 2, and in district B."""
    manager_a = make_user("manager_a", role="district_admin", area=territory["district"])
    manager_b = make_user("manager_b", role="district_admin", area=territory["other_district"])
    b_micro = make_area(
        make_area(
            make_area(
                make_area(
                    territory["other_district"],
                    "510114001",
                    "B街道",
                    square(104.5, 30.6, 104.7, 30.8),
                ),
                "510114001001",
                "B社区",
                square(104.5, 30.6, 104.6, 30.8),
            ),
            "510114001001001",
            "B网格",
            square(104.5, 30.6, 104.6, 30.7),
        ),
        "510114001001001001",
        "B微网格",
        square(104.5, 30.6, 104.55, 30.7),
    )
    street2_micro = make_area(
        make_area(
            make_area(
                territory["street2"], "510113002001", "西湖社区", square(104.2, 30.6, 104.3, 30.8)
            ),
            "510113002001001",
            "西湖网格",
            square(104.2, 30.6, 104.3, 30.7),
        ),
        "510113002001001001",
        "西湖微网格",
        square(104.2, 30.6, 104.25, 30.7),
    )

    def person_in(area, actor, seq):
        p = people_services.create_person(
            actor=actor,
            area=area,
            name=f"人员{seq}",
            category="micro_grid_worker",
            force_type="part_time",
            phone=f"1390000{seq:04d}",
            id_number=valid_id_number(seq=f"{seq:03d}"),
        )
        a = people_services.assign(actor=actor, person=p, area=area, role="member")
        return p, a

    def points_in(area, resident, actor):
        """A reward of the area, a resident's award there, and their redemption of it."""
        reward = Reward.objects.create(
            area=area, area_path=area.path, name="洗衣液", kind="goods", cost=5, stock=3
        )
        award = points_services.award_piece(
            kind="volunteer_hour",
            user=resident,
            area=area,
            cause_type="activity",
            cause_id=f"matrix-{area.pk}",
        )
        redemption = points_services.redeem(user=resident, reward=reward)
        return {
            "reward": reward.pk,
            "transfer": award.pk,
            "redemption": redemption.pk,
            "user": resident.pk,
        }

    objects = {}
    for key, area, actor, seq in (
        ("inside", territory["micro1"], manager_a, 101),
        ("street2", street2_micro, manager_a, 102),
        ("district_b", b_micro, manager_b, 103),
    ):
        person, assignment = person_in(area, actor, seq)
        # Each place's event, reported by a resident of it; and a notification of
        # its manager (never the role user's own).
        reporter = make_user(f"reporter_{seq}", role="resident", area=area)
        event = event_services.report_event(
            submitted_by=reporter,
            source="resident",
            category="0101",
            description="垃圾堆放",
            lng=area.centroid_lng,
            lat=area.centroid_lat,
        ).event
        notification = Notification.objects.create(user=actor, kind="k", title="t")
        post = ServicePost.objects.create(
            name=f"服务站{seq}",
            type="party_service",
            area=area,
            area_path=area.path,
            lng=area.centroid_lng,
            lat=area.centroid_lat,
        )
        starts = timezone.now() + timedelta(days=2)
        activity = VolunteerActivity.objects.create(
            post=post,
            title=f"活动{seq}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            slots=5,
            area=area,
            area_path=area.path,
            created_by=actor,
        )
        community = Area.objects.get(code=area.code[:12])
        hub = ServiceHub.objects.create(
            tier="community",
            name=f"社治码头{seq}",
            area=community,
            area_path=community.path,
            lng=area.centroid_lng,
            lat=area.centroid_lat,
        )
        job = AreaImport.objects.create(
            created_by=actor, file="area_imports/x.geojson", original_name="x.geojson"
        )
        objects[key] = {
            "area": area.code,
            "person": person.pk,
            "assignment": assignment.pk,
            "import": job.pk,
            "roster_import": 10_000 + job.pk,  # an id no roster import has
            "household_import": 10_000 + job.pk,  # nor a household import
            "event": event.pk,
            "notification": notification.pk,
            "post": post.pk,
            "hub": hub.pk,
            "activity": activity.pk,
            **points_in(area, reporter, actor),
            **households_in(area),
            **operations_in(area, actor),
        }
        objects[key]["visit"] = visit_in(objects[key]["household"], actor)
        objects[key]["demand"] = demand_in(area, actor).pk
        objects[key]["demand_group"] = demand_in(area, actor).group_id
        objects[key].update(lists_in(area, actor))
        objects[key]["case"] = case_in(area, actor).pk
        objects[key].update(campaigns_in(area, actor))
        objects[key]["organisation"] = organisation_in(area, actor).pk
        objects[key]["project"] = project_matrix.project_in(area, reporter)
        objects[key]["project_fund"] = project_matrix.fund_in(area, actor)
    return objects


def lists_in(area, actor, *, edition="1", publish=True, resident=None, stage="published"):
    """A needs list of the area's community with an item curated from a demand group of
    the area (asked by ``resident`` when given), a resource serving the community, and
    the item moved on to ``stage`` (published, claimed or delivered)."""
    import datetime as dt

    from shezhi.lists import services as lists

    community = Area.objects.get(code=area.code[:12])
    group = demand_in(area, actor, text="希望开办老年助餐点", submitter=resident).group
    n = lists.create_list(
        actor=actor, area=community, edition=edition, title="需求清单",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30),
    )  # fmt: skip
    item = lists.add_item(actor=actor, needs_list=n, groups=[group.pk])
    resource = lists.register_resource(
        actor=actor, area=community, provider_kind="volunteer_team", provider_name="志愿队",
        offer_kind="other", title="助老", capacity=50, capacity_unit="人次",
    )  # fmt: skip
    if publish:
        lists.publish_list(actor=actor, needs_list=n)
    if stage in ("claimed", "delivered"):
        lists.match_resource(
            actor=actor, item=item, resource=resource, plan="送餐",
            starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 5, 31),
        )  # fmt: skip
    if stage == "delivered":
        lists.move_item(actor=actor, item=item, to="in_delivery")
        lists.move_item(actor=actor, item=item, to="delivered", outcome="已开张")
    return {"needs_list": n.pk, "needs_item": item.pk, "resource": resource.pk, "group": group.pk}


def case_in(area, actor, status="draft"):
    """A case of the area's community written by ``actor``, in ``status``, with a photo."""
    from django.core.files.base import ContentFile

    from shezhi.cases import services as cases
    from shezhi.cases.models import CasePhoto

    community = Area.objects.get(code=area.code[:12])
    case = cases.create_case(actor=actor, area=community, title="院落自治", approach="坝坝会")
    CasePhoto.objects.create(case=case, image=ContentFile(b"\xff\xd8\xff", name="c.jpg"))
    if status != "draft":
        case.status = status
        case.save(update_fields=["status"])
    return case


def campaigns_in(area, actor, *, worker=None, resident_household=None) -> dict:
    """A campaign over the area's community, with a round (``worker`` on it), a broadcast
    and a package over the area, and a result."""
    from shezhi.campaigns import services as campaigns
    from shezhi.households.models import Household
    from tests.factories import ResidentFactory

    if (
        resident_household is not None
        and not Household.objects.filter(residents__user=resident_household[1]).exists()
    ):
        ResidentFactory(household=Household.objects.get(pk=resident_household[0]),
                        user=resident_household[1])  # fmt: skip
    community = Area.objects.get(code=area.code[:12])
    c = campaigns.create_campaign(
        actor=actor, name="社治专列", area=community, starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=60),
    )  # fmt: skip
    r = campaigns.open_round(
        actor=actor, campaign=c, title="小红帽", area=area, day=timezone.localdate(),
        workers=[worker or actor],
    )  # fmt: skip
    b = campaigns.send_broadcast(
        actor=actor, campaign=c, area=area, title="小广播", body="征集", question="想要什么？"
    )
    p = campaigns.create_package(actor=actor, campaign=c, name="安居包", contents="适老化",
                                 area=area)  # fmt: skip
    res = campaigns.add_result(actor=actor, campaign=c, title="成果", summary="新增食堂")
    return {"campaign": c.pk, "round": r.pk, "broadcast": b.pk, "package": p.pk,
            "result": res.pk}  # fmt: skip


def operations_in(area, actor) -> dict:
    """An operation on the area (in emergency mode), fanned out over its households."""
    from shezhi.operations import services as operations

    EmergencyPeriodFactory(area=area, started_by=actor)
    op = operations.start_operation(actor=actor, area=area, kind="flood", title="扫楼")
    return {"operation": op.pk}


def organisation_in(area, actor, name="志愿服务队"):
    """An organisation registered by ``actor`` in the community of ``area``."""
    from shezhi.organisations import services as organisations

    community = Area.objects.get(code=area.code[:12])
    return organisations.register_organisation(
        actor=actor, kind="volunteer_team", name=name, area=community
    )


def demand_in(area, actor, text="希望装快递柜", submitter=None):
    """A demand collected by ``actor`` in ``area`` (its own group when the text differs)."""
    from shezhi.demands import services as demands

    return demands.submit_demand(
        actor=actor, kind="convenience", text=text, source="staff", area=area,
        address="1栋", submitter=submitter,
    ).demand  # fmt: skip


def visit_in(household_id, worker) -> int:
    """A visit to the household that found a gas hazard, with a photo."""
    from shezhi.households.models import Household
    from tests.factories import VisitFactory, VisitPhotoFactory

    household = Household.objects.select_related("building", "micro_grid").get(pk=household_id)
    visit = VisitFactory(household=household, worker=worker, checklist=",gas,")
    VisitPhotoFactory(visit=visit)
    return visit.pk


def households_in(area) -> dict:
    """A compound of the area's community with a building in the area, a household, and a
    resident of it with a phone."""
    from shezhi.areas.models import Area
    from shezhi.core import personal_data as pd
    from tests.factories import (
        BindingRequestFactory,
        CompoundFactory,
        HouseholdFactory,
        ResidentFactory,
    )

    community = Area.objects.get(code=area.code[:12])
    compound = CompoundFactory(community=community)
    household = HouseholdFactory(
        building__compound=compound, building__micro_grid=area, building__area_path=area.path
    )
    resident = ResidentFactory(
        household=household,
        phone="13800001234",
        phone_last4="1234",
        phone_index=pd.blind_index("phone", "13800001234"),
    )
    return {
        "compound": compound.pk,
        "building": household.building_id,
        "household": household.pk,
        "resident": resident.pk,
        "binding": BindingRequestFactory(household=household).pk,
    }


# Each role held where it would be in practice, inside district A's street 1.
ROLE_AREAS = {
    Role.RESIDENT: "micro1",
    Role.MICRO_GRID_WORKER: "micro1",
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.STREET_STAFF: "street1",
    Role.DEPARTMENT_STAFF: "district",
    Role.DISTRICT_ADMIN: "district",
    Role.ALLIANCE_VIEWER: "district",
}


def request(client, method, url, body):
    if method == "get":
        return client.get(url)
    if method == "put":
        return client.put(url, body, content_type="application/json")
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("role", list(ROLE_AREAS))
def test_no_role_sees_outside_its_scope(client, territory, world, role):
    user = make_user(f"u_{role}", role=role, area=territory[ROLE_AREAS[role]])
    client.login(username=user.username, password=PASSWORD)
    outside = ["district_b"]
    if ROLE_AREAS[role] != "district":
        outside.append("street2")
    checked = 0
    for route, (method, kind, body) in ROUTES.items():
        if route not in all_routes():
            continue  # a route of a later part of the issue, not mounted yet
        for where in outside:
            url = fill(route, world[where][kind])
            resp = request(client, method, url, body)
            assert resp.status_code == 404, f"{role} got {resp.status_code} for {where}: {url}"
            checked += 1
        inside = request(client, method, fill(route, world["inside"][kind]), body)
        assert inside.status_code < 500, f"{role}: {route} inside scope → {inside.status_code}"
    for route, param in AREA_QUERY_ROUTES.items():
        for where in outside:
            resp = client.get(f"/{route}?{param}={world[where]['area']}")
            assert resp.status_code == 404, f"{role} got {resp.status_code} for {route} {where}"
    mounted = [r for r in ROUTES if r in all_routes()]
    assert len(mounted) >= 17 and checked == len(mounted) * len(outside)


def test_signed_out_visitors_see_nothing(client, world):
    for route, (method, kind, body) in ROUTES.items():
        if route not in all_routes():
            continue
        resp = request(client, method, fill(route, world["inside"][kind]), body)
        assert resp.status_code in (302, 401, 404), f"{route} → {resp.status_code}"


# ----------------------------------------------------------------- inside scope
#
# The other half of the matrix: each role DOES see, and can act on, its own objects.
# Every object route (and area-query route) lists the roles whose work it is; each of
# them asks for its own object (held inside its scope, made fresh for the request) and
# must get 200, 201 or 302, so an over-tight rule fails as surely as a leak. Roles not
# listed are the outside-scope test's business.

R = Role
EVERYONE = frozenset(ROLE_AREAS)
STAFF = frozenset({R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_ADMIN})
# Who works on the events of their area (a department: what is dispatched to it;
# a resident: their own reports).
EVENT_ROLES = EVERYONE - {R.ALLIANCE_VIEWER}
PEOPLE_READERS = STAFF | {R.MICRO_GRID_WORKER, R.GRID_WORKER}
EMERGENCY_ROLES = frozenset({R.STREET_STAFF, R.DISTRICT_ADMIN})
QUEUE_ROLES = STAFF | {R.MICRO_GRID_WORKER, R.GRID_WORKER}
STATS_ROLES = EVERYONE - {R.RESIDENT}
# A leaderboard names people: staff and grid workers read their areas'.
LEADERBOARD_ROLES = STAFF | {R.MICRO_GRID_WORKER, R.GRID_WORKER}
EARNERS = frozenset({R.RESIDENT, R.MICRO_GRID_WORKER, R.GRID_WORKER})


class Mine:
    """A role's user and the objects it works on, each made on demand inside its scope.

    Objects sit in micro1 (inside every role's area); ``area`` is the role's own area.
    ``manager`` (the district's admin) registers and dispatches the role's events.
    """

    def __init__(self, user, role, territory, manager):
        self.user, self.role, self.t, self.manager = user, role, territory, manager
        self.area = territory[ROLE_AREAS[role]]
        self.micro1 = territory["micro1"]
        self.seq = iter(range(200, 10_000))
        self._helper = None

    def someone(self, prefix="p", **kw):
        return make_user(f"{prefix}_{next(self.seq)}", **kw)

    # -- areas, people, files
    def own_area(self):
        return {"code": self.area.code}

    def emergency(self):
        """The role's own area, in emergency mode since the role started it."""
        return {"code": EmergencyPeriodFactory(area=self.area, started_by=self.user).area.code}

    def person(self):
        seq = next(self.seq)
        return people_services.create_person(
            actor=self.manager, area=self.micro1, name=f"人员{seq}",
            category="micro_grid_worker", force_type="part_time",
            phone=f"1391000{seq:04d}", id_number=valid_id_number(seq=f"{seq % 1000:03d}"),
        )  # fmt: skip

    def assignment(self):
        return people_services.assign(
            actor=self.manager, person=self.person(), area=self.micro1, role="member"
        )

    # -- events
    def event(self):
        """The role's event: a resident's own report, handled and awaiting its check; a
        department's, dispatched to it; otherwise a report made in micro1."""
        reporter = self.user
        if self.role != R.RESIDENT:
            reporter = self.someone("rep", role="resident", area=self.micro1)
        event = event_services.report_event(
            submitted_by=reporter, source="resident", category="0101", description="垃圾堆放",
            lng=104.02, lat=30.62,
        ).event  # fmt: skip
        steps = []
        self.department_staff()  # its department (城管) is the one dispatched to
        if self.role == R.DEPARTMENT_STAFF:
            steps = ["register", "dispatch"]
        elif self.role == R.RESIDENT:
            steps = ["register", "dispatch", "accept", "handle"]
        for action in steps:
            actor, data = self.manager, {}
            if action == "dispatch":
                data = {"target": "department", "department": "cg"}
            elif action in ("accept", "handle"):
                actor = self.department_staff()
                data = {"result": "已处理"} if action == "handle" else {}
            event.refresh_from_db()
            event = event_services.perform(actor=actor, event=event, action=action, data=data)
        return event

    def department_staff(self):
        if self.role == R.DEPARTMENT_STAFF:
            return self.user
        if self._helper is None:
            self._helper = self.someone("cg", role="department_staff", area=self.t["district"])
        return self._helper

    def step(self) -> str:
        """The step this role takes on its event (``event()``)."""
        return {
            R.RESIDENT: "verify_pass",  # the reporter's own handled report
            R.DEPARTMENT_STAFF: "accept",  # dispatched to its department
        }.get(self.role, "register")  # a report in the grid, in the dispatcher's area

    def event_params(self, *, photo=False, step=False):
        event = self.event()
        params = {"event_id": event.pk, "pk": event.pk}
        body = None
        if photo:
            params["photo_id"] = EventPhotoFactory(event=event).pk
        if step:
            params["action"] = self.step()
            body = {"reason": "核实", "version": str(event.version)}
        return params, body

    # -- places, activities, points
    def post(self, **kw):
        return ServicePostFactory(area=self.micro1, **kw).pk

    def hub(self):
        """A compound hub in micro1's community (a fresh compound: one hub per compound)."""
        from tests.factories import CompoundFactory, ServiceHubFactory

        compound = CompoundFactory(community=self.t["community"])
        return ServiceHubFactory(compound=compound).pk

    def activity(self, **kw):
        return VolunteerActivityFactory(post__area=self.micro1, created_by=self.manager, **kw)

    def signup(self, activity):
        from shezhi.volunteering import services as volunteering

        volunteer = self.someone("vol", role="resident", area=self.micro1)
        return volunteering.sign_up(user=volunteer, activity=activity).pk

    def reward(self, area=None):
        return RewardFactory(area=area or self.micro1).pk

    def award(self, user=None, hours=4):
        return TransferFactory(user=user or self.user, area=self.micro1, quantity=hours)

    def own_reward(self):
        """A reward offered in the role's own area, and the points to redeem it."""
        self.award()
        return self.reward(self.area)

    def redemption(self, own=False):
        """The role's own redemption, or a resident's of a reward in the role's scope."""
        user = self.user if own else self.someone("r", role="resident", area=self.micro1)
        return RedemptionFactory(user=user, reward__area=self.micro1).pk

    def earning(self):
        """A resident's award, earned in micro1."""
        return self.award(self.someone("e", role="resident", area=self.micro1))

    # -- emergency operations
    def operation(self):
        """A running operation on micro1 (the last one stood down) and a check line of a
        household there: (operation, line)."""
        from shezhi.events.models import EmergencyPeriod
        from shezhi.operations import services as operations
        from shezhi.operations.models import CheckLine, Operation

        household = _hh(self)["household"]
        for running in Operation.objects.filter(area=self.micro1, state="running"):
            operations.stand_down(actor=self.manager, operation=running)
        if not EmergencyPeriod.objects.filter(area=self.micro1, ended_at=None).exists():
            EmergencyPeriodFactory(area=self.micro1, started_by=self.manager)
        op = operations.start_operation(
            actor=self.manager, area=self.micro1, kind="flood", title="扫楼"
        )
        return op, CheckLine.objects.get(operation=op, household_id=household)


def _own(**params):
    """Path parameters named after the ``Mine`` method that makes each (``(m) -> value``)."""

    def make(m: Mine):
        return {name: how(m) for name, how in params.items()}, None

    return make


def _area(m: Mine):
    return m.own_area(), None


def _events(**kw):
    return lambda m: m.event_params(**kw)


def _signup(m: Mine):
    activity = m.activity(starts_at=timezone.now() + timedelta(minutes=10))  # check-in is open
    return {"pk": activity.pk, "activity_id": activity.pk, "signup_id": m.signup(activity),
            "action": "check-in"}, None  # fmt: skip


def _reward_update(m: Mine):
    body = {"area": m.micro1.code, "name": "洗衣液", "kind": "goods", "cost": 10}
    return {"reward_id": m.reward()}, body


# Households: those who work the area read them (the read-only roles: counts only).
HOUSEHOLD_READERS = STAFF | {R.MICRO_GRID_WORKER, R.GRID_WORKER}
# A resident's request to be bound to a household: its micro-grid worker and the staff.
BINDING_DECIDERS = STAFF | {R.MICRO_GRID_WORKER}


def _hh(m: Mine) -> dict:
    """A compound, building, household and resident in micro1 (inside every role's area)."""
    return households_in(m.micro1)


def _visit(m: Mine):
    """A visit (gas hazard found, a photo) to a household of micro1, by the role's manager."""
    from shezhi.visits.models import Visit

    pk = visit_in(_hh(m)["household"], m.manager)
    return Visit.objects.get(pk=pk)


# The household base's object routes: route → (who opens it inside their area, the path
# parameter, which of ``_hh``'s objects it names).
HOUSEHOLD_ROUTES = {
    "households/<int:pk>/": (HOUSEHOLD_READERS, "pk", "household"),
    "households/residents/<int:pk>/": (HOUSEHOLD_READERS, "pk", "resident"),
    "households/residents/<int:pk>/reveal/": (HOUSEHOLD_READERS, "pk", "resident"),
    "households/residents/<int:pk>/tags/": (HOUSEHOLD_READERS, "pk", "resident"),
    "api/v1/households/compounds/<compound_id>": (HOUSEHOLD_READERS, "compound_id", "compound"),
    "api/v1/households/buildings/<building_id>": (HOUSEHOLD_READERS, "building_id", "building"),
    "api/v1/households/<household_id>": (HOUSEHOLD_READERS, "household_id", "household"),
    "api/v1/households/residents/<resident_id>": (HOUSEHOLD_READERS, "resident_id", "resident"),
    "api/v1/households/residents/<resident_id>/tags": (
        HOUSEHOLD_READERS, "resident_id", "resident",
    ),
    "api/v1/households/residents/<resident_id>/reveal": (
        HOUSEHOLD_READERS, "resident_id", "resident",
    ),
    "households/bindings/<int:pk>/decide/": (BINDING_DECIDERS, "pk", "binding"),
    "api/v1/accounts/binding/requests/<binding_id>/decide": (
        BINDING_DECIDERS, "binding_id", "binding",
    ),
}  # fmt: skip


def _hh_own(param: str, key: str):
    """The path parameter ``param`` naming ``_hh``'s ``key`` object."""
    return _own(**{param: lambda m: _hh(m)[key]})


def _hh_move(m: Mine):
    made = _hh(m)
    target = households_in(m.micro1)["household"]
    return {"resident_id": made["resident"]}, {"to_household": target}


# Emergency operations: the working roles check; every role but residents reads the
# dashboard's counts; the staff and the read-only roles the report.
OPERATION_READERS = EVERYONE - {R.RESIDENT}
REPORT_READERS = STAFF | {R.DEPARTMENT_STAFF, R.ALLIANCE_VIEWER}


def _op(m: Mine):
    op, _line = m.operation()
    return {"pk": op.pk, "operation_id": op.pk}, None


def _op_line(m: Mine):
    op, line = m.operation()
    return {"pk": op.pk, "operation_id": op.pk, "line_id": line.pk}, None


# Demands: the working roles read their scope's, a resident their own; the staff manage.
DEMAND_READERS = HOUSEHOLD_READERS | {R.RESIDENT}


def _demand(m: Mine):
    """The role's demand in micro1: a resident's own; else one the manager collected."""
    if m.role == R.RESIDENT:
        return demand_in(m.micro1, m.manager, submitter=m.user)
    return demand_in(m.micro1, m.manager)


def _merge(m: Mine):
    keep = demand_in(m.micro1, m.manager).group_id
    other = demand_in(m.micro1, m.manager, text="希望开办老年食堂").group_id
    return {"group_id": keep}, {"other": other}


# The three lists: a list and its items are their community's, read and run by its
# staff and above; a resource also by those working below the area it serves; the
# residents behind a delivered item rate it.
RESOURCE_READERS = STAFF | {R.MICRO_GRID_WORKER, R.GRID_WORKER}


def _lists(m: Mine, **kw) -> dict:
    return lists_in(m.micro1, m.manager, edition=f"e{next(m.seq)}", **kw)


def _list_route(param: str, **kw):
    return lambda m: ({param: _lists(m, **kw)["needs_list"]}, None)


def _item_route(param: str, **kw):
    return lambda m: ({param: _lists(m, **kw)["needs_item"]}, None)


def _curate(m: Mine):
    made = _lists(m, publish=False)
    other = demand_in(m.micro1, m.manager, text=f"希望增设停车位{next(m.seq)}号").group_id
    return {"list_id": made["needs_list"]}, {"groups": [other]}


def _match(param: str):
    def make(m: Mine):
        made = _lists(m)
        return {param: made["needs_item"]}, {**MATCH, "resource": made["resource"]}

    return make


# Organisations: the staff of the area read and keep its registry (each call on a
# fresh organisation of micro1's community, registered by the manager).
def _org(m: Mine):
    return organisation_in(m.micro1, m.manager, name=f"志愿服务队{next(m.seq)}")


def _org_member(m: Mine):
    from shezhi.organisations import services as organisations

    org = _org(m)
    member = organisations.add_member(actor=m.manager, organisation=org, person=m.person())
    return {"pk": org.pk, "org_id": org.pk, "member_id": member.pk}, None


def _org_join(api: bool):
    def make(m: Mine):
        org = _org(m)
        if api:
            return {"org_id": org.pk}, {"resident": _hh(m)["resident"]}
        seq = next(m.seq)
        id_number = valid_id_number(seq=f"{seq % 1000:03d}")
        people_services.create_person(
            actor=m.manager, area=m.micro1, name=f"人员{seq}", category="micro_grid_worker",
            force_type="part_time", phone=f"1392000{seq:04d}", id_number=id_number,
        )  # fmt: skip
        return {"pk": org.pk}, {"id_number": id_number, "role": "member"}

    return make


def _case(step: str):
    """The role's case, written by the manager in micro1's community, in the state the
    step starts from (a draft is reviewed, a reviewed case published, a published one
    taken back)."""
    status = {"publish": "reviewed", "publish/": "reviewed", "unpublish": "published",
              "unpublish/": "published"}.get(step, "draft")  # fmt: skip

    def make(m: Mine):
        case = case_in(m.micro1, m.manager, status)
        return {"pk": case.pk, "case_id": case.pk, "photo_id": case.photos.get().pk}, None

    return make


def _org_body(key: str, body: dict):
    """A fresh organisation, and ``body``; ``target``: what the link names."""

    def make(m: Mine):
        org = _org(m)
        filled = dict(body)
        if filled.get(key) == "activity":
            filled[key] = m.activity().pk
        elif filled.get(key) == "group":
            filled[key] = demand_in(
                m.micro1, m.manager, text=f"希望开办老年食堂{next(m.seq)}"
            ).group_id
        return {"pk": org.pk, "org_id": org.pk}, filled

    return make


def _rate(param: str):
    def make(m: Mine):
        made = _lists(m, stage="delivered", resident=m.user)
        return {param: made["needs_item"]}, None

    return make


def _resource_route(param: str):
    return lambda m: ({param: _lists(m)["resource"]}, None)


def _demand_photo(m: Mine):
    """The role's demand (``_demand``) with a photo."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from shezhi.demands.models import DemandPhoto

    d = _demand(m)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    photo = DemandPhoto(demand=d)
    photo.image.save("p.jpg", ContentFile(out.getvalue(), name="p.jpg"), save=False)
    photo.save()
    return {"pk": d.pk, "demand_id": d.pk, "photo_id": photo.pk}, None


def _merge_page(m: Mine):
    keep = demand_in(m.micro1, m.manager).group_id
    other = demand_in(m.micro1, m.manager, text="希望开办老年食堂").group_id
    return {"pk": other}, {"into": keep}


ORGANISATION_ROUTES = {
    "organisations/<int:pk>/": lambda m: ({"pk": _org(m).pk}, None),
    "organisations/<int:pk>/members/": _org_join(api=False),
    "organisations/<int:pk>/members/<int:member_id>/leave/": _org_member,
    "organisations/<int:pk>/stage/": _org_body("", {"stage": "incubating"}),
    "organisations/<int:pk>/support/": _org_body("", {"kind": "training", "note": "培训"}),
    "organisations/<int:pk>/activities/": _org_body("target", {"target": "activity"}),
    "organisations/<int:pk>/demands/": _org_body("target", {"target": "group"}),
    "api/v1/organisations/<org_id>": lambda m: ({"org_id": _org(m).pk}, None),
    "api/v1/organisations/<org_id>/members": _org_join(api=True),
    "api/v1/organisations/<org_id>/members/<member_id>/leave": _org_member,
    "api/v1/organisations/<org_id>/stage": _org_body("", {"stage": "incubating"}),
    "api/v1/organisations/<org_id>/supports": _org_body("", {"kind": "training", "note": "培训"}),
    "api/v1/organisations/<org_id>/activities": _org_body("activity", {"activity": "activity"}),
    "api/v1/organisations/<org_id>/demand-groups": _org_body("group", {"group": "group"}),
}


# Projects: working roles over the area and its community's residents read them; the
# staff review, record money and deliver; residents back, pledge, rate (their own).
PROJECT_READERS = HOUSEHOLD_READERS | {R.RESIDENT}
RES = frozenset({R.RESIDENT})
_pm = project_matrix
PROJECT_INSIDE = {
    "api/v1/projects/<project_id>": (PROJECT_READERS, _pm.at("backing")),
    "api/v1/projects/<project_id>/accounts": (PROJECT_READERS, _pm.at("delivery")),
    "api/v1/projects/<project_id>/back": (RES, _pm.at("backing")),
    "api/v1/projects/<project_id>/review": (STAFF, _pm.at("review")),
    "api/v1/projects/<project_id>/resubmit": (RES, _pm.at("returned")),
    "api/v1/projects/<project_id>/pledges": (RES, _pm.at("funding")),
    "api/v1/projects/<project_id>/payments": (STAFF, _pm.pay),
    "api/v1/projects/<project_id>/payments/batch": (STAFF, _pm.pay_batch),
    "api/v1/projects/<project_id>/payments/<payment_id>/refund": (STAFF, _pm.payment),
    "api/v1/projects/<project_id>/payments/<payment_id>/reverse": (STAFF, _pm.payment),
    "api/v1/projects/<project_id>/close-funding": (STAFF, _pm.closable),
    "api/v1/projects/<project_id>/milestones": (STAFF, _pm.at("delivery")),
    "api/v1/projects/<project_id>/expenses": (STAFF, _pm.at("delivery")),
    "api/v1/projects/<project_id>/complete": (STAFF, _pm.at("delivery")),
    "api/v1/projects/<project_id>/ratings": (RES, _pm.at("completed")),
    "api/v1/projects/<project_id>/photos": (PROJECT_READERS, _pm.at("backing")),
    "api/v1/projects/<project_id>/photos/<photo_id>": (PROJECT_READERS, _pm.project_photo),
    "api/v1/projects/<project_id>/payments/with-photos": (STAFF, _pm.pay_with_receipt),
    "api/v1/projects/<project_id>/payments/<payment_id>/receipt": (STAFF, _pm.receipted_payment),
    "api/v1/projects/<project_id>/expenses/with-photos": (STAFF, _pm.at("delivery")),
    "api/v1/projects/<project_id>/expenses/<expense_id>/receipt": (
        PROJECT_READERS, _pm.receipted_expense,
    ),
    "api/v1/projects/<project_id>/milestones/<milestone_id>/done": (STAFF, _pm.milestone(False)),
    "api/v1/projects/<project_id>/milestones/<milestone_id>/photo": (
        PROJECT_READERS, _pm.milestone(True),
    ),
    "projects/staff/<int:pk>/review/": (STAFF, _pm.page("review")),
    "projects/staff/<int:pk>/payments/": (STAFF, _pm.page("funding")),
    "projects/staff/<int:pk>/accounts.xlsx": (STAFF, _pm.page("delivery")),
    "projects/staff/funds/<int:pk>/": (STAFF, _pm.fund_page()),
    "projects/staff/funds/<int:pk>/top-up/": (STAFF, _pm.fund_page(_pm.top_up_body)),
    "projects/staff/funds/<int:pk>/statement.xlsx": (STAFF, _pm.fund_page()),
}  # fmt: skip


# Route → (the roles whose own objects it serves, how to make the role's object: its
# path parameters and, when it differs from ``ROUTES``, the body).
# Campaigns: a campaign is its community's (staff); rounds, packages: the working roles
# of their area; a broadcast: the staff, and the residents it reached.
def _campaign_objects(m: Mine) -> dict:
    household = _hh(m)["household"] if m.role == R.RESIDENT else None
    return campaigns_in(
        m.micro1, m.manager, worker=m.user,
        resident_household=(household, m.user) if household else None,
    )  # fmt: skip


def _camp(param: str, key: str, body=None):
    def make(m: Mine):
        made = _campaign_objects(m)
        return {param: made[key]}, (body(m, made) if body else None)

    return make


def _round_body(m: Mine, made):
    return {"title": "小红帽", "area": m.micro1.code, "day": str(timezone.localdate()),
            "workers": [m.user.pk]}  # fmt: skip


def _take_up_body(m: Mine, made):
    return {"household": _hh(m)["household"], "answer": "taken"}


CAMPAIGN_INSIDE = {
    "campaigns/<int:pk>/": (STAFF, _camp("pk", "campaign")),
    "campaigns/<int:pk>/broadcast/": (STAFF, _camp("pk", "campaign")),
    "campaigns/rounds/<int:pk>/": (HOUSEHOLD_READERS, _camp("pk", "round")),
    "campaigns/broadcasts/<int:pk>/": ({R.RESIDENT}, _camp("pk", "broadcast")),
    "campaigns/packages/<int:pk>/": (HOUSEHOLD_READERS, _camp("pk", "package")),
    "api/v1/campaigns/<campaign_id>": (STAFF, _camp("campaign_id", "campaign")),
    "api/v1/campaigns/<campaign_id>/stage": (STAFF, _camp("campaign_id", "campaign")),
    "api/v1/campaigns/<campaign_id>/rounds": (
        STAFF, _camp("campaign_id", "campaign", _round_body),
    ),
    "api/v1/campaigns/<campaign_id>/broadcasts": (
        STAFF, _camp("campaign_id", "campaign", lambda m, made: {
            "area": m.micro1.code, "title": "小广播", "body": "征集", "question": "想要什么？",
        }),
    ),
    "api/v1/campaigns/<campaign_id>/packages": (
        STAFF, _camp("campaign_id", "campaign", lambda m, made: {
            "name": "安居包", "contents": "适老化", "area": m.micro1.code,
        }),
    ),
    "api/v1/campaigns/<campaign_id>/results": (STAFF, _camp("campaign_id", "campaign")),
    "api/v1/campaigns/rounds/<round_id>": (HOUSEHOLD_READERS, _camp("round_id", "round")),
    "api/v1/campaigns/rounds/<round_id>/stops": (
        HOUSEHOLD_READERS, _camp("round_id", "round"),
    ),
    "api/v1/campaigns/broadcasts/<broadcast_id>": (
        STAFF | {R.RESIDENT}, _camp("broadcast_id", "broadcast"),
    ),
    "api/v1/campaigns/broadcasts/<broadcast_id>/answer": (
        {R.RESIDENT}, _camp("broadcast_id", "broadcast"),
    ),
    "api/v1/campaigns/packages/<package_id>": (
        HOUSEHOLD_READERS, _camp("package_id", "package"),
    ),
    "api/v1/campaigns/packages/<package_id>/take-ups": (
        HOUSEHOLD_READERS, _camp("package_id", "package", _take_up_body),
    ),
    "api/v1/campaigns/results/<result_id>/publish": (STAFF, _camp("result_id", "result")),
}  # fmt: skip

INSIDE = {
    **PROJECT_INSIDE,
    **project_matrix.page_inside(PROJECT_READERS, RES, STAFF | RES),
    "api/v1/areas/<code>": (EVERYONE, _area),
    "api/v1/areas/<code>/children": (EVERYONE, _area),
    "api/v1/areas/<code>/boundary": (EVERYONE, _area),
    "api/v1/areas/<code>/children/boundaries": (EVERYONE, _area),
    "api/v1/areas/<code>/team": (EVERYONE, _area),
    "api/v1/areas/<code>/candidates": (EVERYONE, _area),
    "api/v1/areas/<code>/workforce": (EVERYONE, _area),
    "api/v1/people/<person_id>": (PEOPLE_READERS, _own(person_id=lambda m: m.person().pk)),
    "api/v1/people/<person_id>/reveal": (STAFF, _own(person_id=lambda m: m.person().pk)),
    "api/v1/assignments/<assignment_id>/end": (
        STAFF,
        _own(assignment_id=lambda m: m.assignment().pk),
    ),
    "areas/<str:code>/": (EVERYONE, _area),
    "areas/imports/<int:pk>/": (
        EVERYONE,
        _own(pk=lambda m: AreaImportFactory(created_by=m.user).pk),
    ),
    "people/area/<str:code>/": (EVERYONE, _area),
    # Grids and micro-grids have a team: micro1's, inside every role's area.
    "people/team/<str:code>/": (EVERYONE, _own(code=lambda m: m.micro1.code)),
    "people/counts/<str:code>/": (EVERYONE, _area),
    "people/<int:pk>/": (PEOPLE_READERS, _own(pk=lambda m: m.person().pk)),
    "people/<int:pk>/reveal/": (STAFF, _own(pk=lambda m: m.person().pk)),
    "people/roster/export/<str:code>/": (STAFF, _area),
    "people/roster/<int:pk>/": (
        EVERYONE,
        _own(pk=lambda m: RosterImportFactory(created_by=m.user).pk),
    ),
    "notifications/<int:pk>/": (EVERYONE, _own(pk=lambda m: NotificationFactory(user=m.user).pk)),
    "notifications/<int:pk>/read/": (
        EVERYONE,
        _own(pk=lambda m: NotificationFactory(user=m.user).pk),
    ),
    "api/v1/notifications/<notification_id>/read": (
        EVERYONE,
        _own(notification_id=lambda m: NotificationFactory(user=m.user).pk),
    ),
    "api/v1/events/<event_id>": (EVENT_ROLES, _events()),
    "api/v1/events/<event_id>/timeline": (EVENT_ROLES, _events()),
    "api/v1/events/<event_id>/whistles": (EVENT_ROLES, _events()),
    "api/v1/events/<event_id>/photos/<photo_id>": (EVENT_ROLES, _events(photo=True)),
    "api/v1/events/<event_id>/actions/<action>": (EVENT_ROLES, _events(step=True)),
    "api/v1/events/<event_id>/actions/<action>/with-photos": (EVENT_ROLES, _events(step=True)),
    "api/v1/areas/<code>/emergency": (EMERGENCY_ROLES, _area),
    "api/v1/areas/<code>/emergency/end": (EMERGENCY_ROLES, lambda m: (m.emergency(), None)),
    "events/<int:pk>/": (EVENT_ROLES, _events()),
    "events/<int:pk>/act/<str:action>/": (EVENT_ROLES, _events(step=True)),
    "events/<int:pk>/photos/<int:photo_id>/": (EVENT_ROLES, _events(photo=True)),
    "events/queue/<str:code>/": (QUEUE_ROLES, _area),
    "events/emergency/<str:code>/": (EMERGENCY_ROLES, _area),
    "stats/<str:code>/": (STATS_ROLES, _area),
    "stats/<str:code>/data.json": (STATS_ROLES, _area),
    "stats/<str:code>/heat.json": (STATS_ROLES, _area),
    "stats/<str:code>/wall/": (STATS_ROLES, _area),
    "stats/<str:code>/export.xlsx": (STATS_ROLES, _area),
    "stats/<str:code>/report.pdf": (STATS_ROLES, _area),
    "posts/manage/<int:pk>/edit/": (STAFF, _own(pk=Mine.post)),
    "hubs/manage/<int:pk>/edit/": (STAFF, _own(pk=Mine.hub)),
    "posts/manage/<int:pk>/deactivate/": (STAFF, _own(pk=Mine.post)),
    "posts/manage/<int:pk>/reactivate/": (STAFF, _own(pk=lambda m: m.post(active=False))),
    "api/v1/posts/manage/<post_id>": (STAFF, _own(post_id=Mine.post)),
    "api/v1/posts/<post_id>/photos": (STAFF, _own(post_id=Mine.post)),
    "volunteering/manage/<int:pk>/": (STAFF, _own(pk=lambda m: m.activity().pk)),
    "volunteering/manage/<int:pk>/edit/": (STAFF, _own(pk=lambda m: m.activity().pk)),
    "volunteering/manage/<int:pk>/cancel/": (STAFF, _own(pk=lambda m: m.activity().pk)),
    "volunteering/manage/<int:pk>/qr/": (STAFF, _own(pk=lambda m: m.activity().pk)),
    "volunteering/manage/<int:pk>/qr/current.json": (STAFF, _own(pk=lambda m: m.activity().pk)),
    "volunteering/manage/<int:pk>/sign-ups/<int:signup_id>/<str:action>/": (STAFF, _signup),
    "api/v1/volunteering/activities/<activity_id>/cancel": (
        STAFF,
        _own(activity_id=lambda m: m.activity().pk),
    ),
    "api/v1/volunteering/activities/<activity_id>/roster": (
        STAFF,
        _own(activity_id=lambda m: m.activity().pk),
    ),
    "api/v1/volunteering/activities/<activity_id>/code": (
        STAFF,
        _own(activity_id=lambda m: m.activity().pk),
    ),
    "api/v1/volunteering/activities/<activity_id>/signups/<signup_id>/<action>": (STAFF, _signup),
    "api/v1/points/rewards/<reward_id>": (STAFF, _reward_update),
    "api/v1/points/rewards/<reward_id>/redeem": (EARNERS, _own(reward_id=Mine.own_reward)),
    # Their own redemption (staff: one of a reward they manage).
    "api/v1/points/redemptions/<redemption_id>/cancel": (
        EVERYONE,
        _own(redemption_id=lambda m: m.redemption(own=m.role not in STAFF)),
    ),
    "api/v1/points/redemptions/<redemption_id>/hand-over": (
        STAFF,
        _own(redemption_id=Mine.redemption),
    ),
    "api/v1/points/transfers/<transfer_id>/reverse": (
        STAFF,
        _own(transfer_id=lambda m: m.earning().pk),
    ),
    "points/rewards/<int:pk>/redeem/": (EARNERS, _own(pk=Mine.own_reward)),
    "points/redemptions/<int:pk>/cancel/": (EVERYONE, _own(pk=lambda m: m.redemption(own=True))),
    "points/manage/rewards/<int:pk>/edit/": (STAFF, _own(pk=lambda m: m.reward())),
    "points/manage/redemptions/<int:pk>/hand-over/": (STAFF, _own(pk=Mine.redemption)),
    "points/manage/redemptions/<int:pk>/cancel/": (STAFF, _own(pk=Mine.redemption)),
    "points/people/<int:user_id>/": (STAFF, _own(user_id=lambda m: m.earning().user_id)),
    "points/transfers/<int:pk>/reverse/": (STAFF, _own(pk=lambda m: m.earning().pk)),
    **{
        route: (readers, _hh_own(param, key))
        for route, (readers, param, key) in HOUSEHOLD_ROUTES.items()
    },
    "households/overview/<str:code>/": (STATS_ROLES, _area),
    "households/export/<str:code>/": (HOUSEHOLD_READERS, _area),
    "households/import/<int:pk>/": (
        EVERYONE,
        _own(pk=lambda m: HouseholdImportFactory(created_by=m.user).pk),
    ),
    "api/v1/households/imports/<import_id>": (
        EVERYONE,
        _own(import_id=lambda m: HouseholdImportFactory(created_by=m.user).pk),
    ),
    "api/v1/households/residents/<resident_id>/move": (HOUSEHOLD_READERS, _hh_move),
    "operations/start/<str:code>/": (EMERGENCY_ROLES, _area),
    "operations/<int:pk>/": (OPERATION_READERS, _op),
    "operations/<int:pk>/wall/": (OPERATION_READERS, _op),
    "operations/<int:pk>/data.json": (OPERATION_READERS, _op),
    "operations/<int:pk>/check/": (HOUSEHOLD_READERS, _op),
    "operations/<int:pk>/lines/<int:line_id>/check/": (HOUSEHOLD_READERS, _op_line),
    "operations/<int:pk>/lines/<int:line_id>/hand-out/": (HOUSEHOLD_READERS, _op_line),
    "operations/<int:pk>/roll-call/": (HOUSEHOLD_READERS, _op),
    "operations/<int:pk>/stand-down/": (EMERGENCY_ROLES, _op),
    "operations/<int:pk>/report.xlsx": (REPORT_READERS, _op),
    "operations/<int:pk>/report.pdf": (REPORT_READERS, _op),
    "api/v1/operations/<operation_id>": (OPERATION_READERS, _op),
    "api/v1/operations/<operation_id>/dashboard": (OPERATION_READERS, _op),
    "api/v1/operations/<operation_id>/stand-down": (EMERGENCY_ROLES, _op),
    "api/v1/operations/<operation_id>/lines": (HOUSEHOLD_READERS, _op),
    "api/v1/operations/<operation_id>/lines/<line_id>/check": (HOUSEHOLD_READERS, _op_line),
    "api/v1/operations/<operation_id>/lines/<line_id>/hand-outs": (HOUSEHOLD_READERS, _op_line),
    "api/v1/operations/<operation_id>/roll-call": (HOUSEHOLD_READERS, _op),
    "visits/new/<int:household>/": (
        HOUSEHOLD_READERS,
        _own(household=lambda m: _hh(m)["household"]),
    ),
    "visits/<int:pk>/": (HOUSEHOLD_READERS, _own(pk=lambda m: _visit(m).pk)),
    "visits/<int:pk>/photos/<int:photo_id>/": (
        HOUSEHOLD_READERS,
        lambda m: (
            (lambda v: {"pk": v.pk, "photo_id": v.photos.get().pk})(_visit(m)),
            None,
        ),
    ),
    "api/v1/visits/<visit_id>": (HOUSEHOLD_READERS, _own(visit_id=lambda m: _visit(m).pk)),
    "events/from-visit/<int:pk>/": (HOUSEHOLD_READERS, _own(pk=lambda m: _visit(m).pk)),
    "api/v1/demands/<demand_id>": (DEMAND_READERS, _own(demand_id=lambda m: _demand(m).pk)),
    "api/v1/demands/<demand_id>/close": (STAFF, _own(demand_id=lambda m: _demand(m).pk)),
    "api/v1/demands/<demand_id>/split": (STAFF, _own(demand_id=lambda m: _demand(m).pk)),
    # A group is its community's: read by those whose scope holds the community.
    "api/v1/demand-groups/<group_id>": (STAFF, _own(group_id=lambda m: _demand(m).group_id)),
    "api/v1/demand-groups/<group_id>/confirm": (
        STAFF,
        _own(group_id=lambda m: _demand(m).group_id),
    ),
    "api/v1/demand-groups/<group_id>/merge": (STAFF, _merge),
    "lists/<int:pk>/": (STAFF, _list_route("pk")),
    "lists/<int:pk>/publish/": (STAFF, _list_route("pk", publish=False)),
    "lists/items/<int:pk>/": (STAFF, _item_route("pk")),
    "lists/items/<int:pk>/move/": (STAFF, _item_route("pk", stage="claimed")),
    "lists/items/<int:pk>/match/": (STAFF, _match("pk")),
    "lists/items/<int:pk>/rate/": (frozenset({R.RESIDENT}), _rate("pk")),
    "api/v1/lists/<list_id>": (STAFF, _list_route("list_id")),
    "api/v1/lists/<list_id>/publish": (STAFF, _list_route("list_id", publish=False)),
    "api/v1/lists/<list_id>/items": (STAFF, _curate),
    "api/v1/lists/items/<item_id>": (STAFF, _item_route("item_id")),
    "api/v1/lists/items/<item_id>/move": (STAFF, _item_route("item_id", stage="claimed")),
    "api/v1/lists/items/<item_id>/suggestions": (STAFF, _item_route("item_id")),
    "api/v1/lists/items/<item_id>/match": (STAFF, _match("item_id")),
    "api/v1/lists/items/<item_id>/ratings": (frozenset({R.RESIDENT}), _rate("item_id")),
    "api/v1/resources/<resource_id>": (RESOURCE_READERS, _resource_route("resource_id")),
    "api/v1/resources/<resource_id>/active": (STAFF, _resource_route("resource_id")),
    **{f"cases/<int:pk>/{tail}": (STAFF, _case(tail)) for tail in CASE_PAGES},
    "api/v1/cases/<case_id>": (STAFF, _case("")),
    **{f"api/v1/cases/<case_id>/{step}": (STAFF, _case(step)) for step in CASE_STEPS},
    "demands/queue/groups/<int:pk>/confirm/": (STAFF, _own(pk=lambda m: _demand(m).group_id)),
    "demands/queue/groups/<int:pk>/merge/": (STAFF, _merge_page),
    "demands/queue/demands/<int:pk>/split/": (STAFF, _own(pk=lambda m: _demand(m).pk)),
    "demands/<int:pk>/photos/<int:photo_id>/": (DEMAND_READERS, _demand_photo),
    "api/v1/demands/<demand_id>/photos/<photo_id>": (DEMAND_READERS, _demand_photo),
    **CAMPAIGN_INSIDE,
    **{route: (STAFF, make) for route, make in ORGANISATION_ROUTES.items()},
    "organisations/funnel/<str:code>/": (STATS_ROLES, _area),
}
# Who reads an area-query list of their own area.
INSIDE_AREA_QUERY = {
    "api/v1/people": PEOPLE_READERS,
    "api/v1/events": EVENT_ROLES,
    "api/v1/stats/kpis": STATS_ROLES,
    "api/v1/stats/rankings/areas": STATS_ROLES,
    "api/v1/stats/rankings/departments": STATS_ROLES,
    "api/v1/stats/rankings/workers": STATS_ROLES,
    "api/v1/points/leaderboard": LEADERBOARD_ROLES,
    "points/leaderboard/": LEADERBOARD_ROLES,
    "points/leaderboard/export.xlsx": LEADERBOARD_ROLES,
    "households/": HOUSEHOLD_READERS,
    "api/v1/households": HOUSEHOLD_READERS,
    "api/v1/households/compounds": HOUSEHOLD_READERS,
    "api/v1/households/buildings": HOUSEHOLD_READERS,
    "api/v1/households/residents": HOUSEHOLD_READERS,
    "api/v1/households/counts": STATS_ROLES,
    "api/v1/visits": HOUSEHOLD_READERS,
    "api/v1/stats/visit-coverage": STATS_ROLES,
    "api/v1/stats/participation": STATS_ROLES,
    "api/v1/organisations": STAFF,
    "api/v1/organisations/funnel": STATS_ROLES,
    "api/v1/stats/forces": STATS_ROLES,
    "api/v1/stats/projects": STATS_ROLES,
}
OK = (200, 201, 302)


def fill_params(route: str, params: dict) -> str:
    import re

    return "/" + re.sub(r"<([^>]+)>", lambda mt: str(params[mt.group(1).split(":")[-1]]), route)


def test_the_inside_rows_cover_every_route_of_the_matrix():
    assert set(INSIDE) == set(ROUTES)
    assert set(INSIDE_AREA_QUERY) == set(AREA_QUERY_ROUTES)
    assert all(roles for roles, _make in INSIDE.values())


@pytest.mark.parametrize("role", list(ROLE_AREAS))
def test_every_role_sees_and_acts_on_its_own_objects(client, territory, role):
    manager = make_user("manager_a", role="district_admin", area=territory["district"])
    user = make_user(f"u_{role}", role=role, area=territory[ROLE_AREAS[role]])
    mine = Mine(user, role, territory, manager)
    client.login(username=user.username, password=PASSWORD)
    mounted = all_routes()
    checked, refused = 0, []
    for route, (roles, make) in INSIDE.items():
        if route not in mounted or role not in roles:
            continue
        method, _kind, body = ROUTES[route]
        params, own_body = make(mine)
        url = fill_params(route, {**CHOICES.get(route, {}), **params})
        body = body if own_body is None else own_body
        if method == "post" and (not route.startswith("api/") or route.endswith("with-photos")):
            resp = client.post(url, body)  # a form, as the page (or multipart call) sends it
        else:
            resp = request(client, method, url, body)
        checked += 1
        if resp.status_code not in OK:
            refused.append(f"{resp.status_code} {method} {url}  ({route})")
    for route, roles in INSIDE_AREA_QUERY.items():
        if role in roles:
            resp = client.get(f"/{route}?{AREA_QUERY_ROUTES[route]}={mine.area.code}")
            checked += 1
            if resp.status_code not in OK:
                refused.append(f"{resp.status_code} get {route}?area={mine.area.code}")
    assert refused == [], f"{role} is refused inside its scope:\n" + "\n".join(refused)
    assert checked >= 10
