"""The reporting side: report pages, the resident's reports, the public map."""

from django.urls import path

from . import views_report as views
from . import views_spot

urlpatterns = [
    path("report/", views.report, name="report"),
    path("patrol/", views.patrol, name="patrol"),
    path("spot/", views_spot.spot_page, name="spot"),
    path("hotline/", views.hotline, name="hotline"),
    path("assign/", views.assign, name="assign"),
    path("report/held/<int:pk>/", views.held_photo, name="held_photo"),
    path("mine/", views.my_reports, name="my_reports"),
    path("map/", views.public_map, name="public_map"),
    path("map/data.json", views.public_map_data, name="public_map_data"),
]
