from django.urls import path

from . import views

app_name = "demands"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("queue/", views.queue, name="queue"),
    path("queue/groups/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("queue/groups/<int:pk>/merge/", views.merge, name="merge"),
    path("queue/demands/<int:pk>/split/", views.split, name="split"),
]
