from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .api import api
from .site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("preferences/elder-mode/", site_views.elder_mode, name="elder_mode"),
    path("health", site_views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("shezhi.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("areas/", include("shezhi.areas.urls")),
    path("people/roster/", include("shezhi.people.roster_urls")),
    path("people/", include("shezhi.people.urls")),
    path("people/audit/", include("shezhi.people.audit_urls")),
    path("events/", include("shezhi.events.urls")),
    path("notifications/", include("shezhi.notifications.urls")),
    path("stats/", include("shezhi.stats.urls")),
    path("posts/", include("shezhi.places.urls")),
    path("hubs/", include("shezhi.places.hub_urls")),
    path("volunteering/", include("shezhi.volunteering.urls")),
    path("points/", include("shezhi.incentives.urls")),
    path("households/", include("shezhi.households.urls")),
    path("operations/", include("shezhi.operations.urls")),
    path("visits/", include("shezhi.visits.urls")),
    path("demands/", include("shezhi.demands.urls")),
    path("lists/", include("shezhi.lists.urls")),
    path("cases/", include("shezhi.cases.urls")),
    path("campaigns/", include("shezhi.campaigns.urls")),
    path("organisations/", include("shezhi.organisations.urls")),
    path("projects/", include("shezhi.projects.urls")),
]
