"""Event pages: the reporting side (residents, patrols, hotline) and the working side."""

from django.urls import include, path

app_name = "events"
urlpatterns = [
    path("", include("shezhi.events.urls_report")),
    path("", include("shezhi.events.urls_work")),
]
