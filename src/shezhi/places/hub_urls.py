from django.urls import path

from . import hub_views

app_name = "hubs"

urlpatterns = [
    path("", hub_views.directory, name="directory"),
    path("<int:pk>/", hub_views.detail, name="detail"),
    path("manage/", hub_views.manage, name="manage"),
    path("manage/new/", hub_views.create, name="create"),
    path("manage/<int:pk>/edit/", hub_views.edit, name="edit"),
]
