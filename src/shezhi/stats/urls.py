from django.urls import include, path

app_name = "stats"

urlpatterns = [
    path("", include("shezhi.stats.urls_dashboard")),
    path("", include("shezhi.stats.urls_exports")),
]
