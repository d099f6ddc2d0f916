from django.urls import path

from . import import_views, views

app_name = "areas"

urlpatterns = [
    path("", views.browser, name="browser"),
    # before <code>/, which would otherwise swallow "imports"
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("<str:code>/", views.area, name="area"),
]
