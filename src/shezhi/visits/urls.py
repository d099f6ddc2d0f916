from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/<int:household>/", views.record, name="record"),
    path("<int:pk>/", views.visit_detail, name="visit"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
]
