from django.urls import path

from . import roster_views

app_name = "roster"

urlpatterns = [
    path("", roster_views.upload, name="upload"),
    path("template/", roster_views.template, name="template"),
    path("<int:pk>/", roster_views.report, name="report"),
    path("export/<str:code>/", roster_views.export, name="export"),
]
