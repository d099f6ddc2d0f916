from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.nearby, name="nearby"),
    path("nearby.json", views.nearby_data, name="nearby_data"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:pk>/edit/", views.edit, name="edit"),
    path("manage/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("manage/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
]
