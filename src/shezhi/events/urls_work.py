"""The working side: an event's page and actions, inbox, queue, department, emergency."""

from django.urls import path

from . import views_visit
from . import views_work as views

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/", views.queue_home, name="queue_home"),
    path("queue/<str:code>/", views.queue, name="queue"),
    path("department/", views.department, name="department"),
    path("emergency/<str:code>/", views.emergency, name="emergency"),
    path("from-visit/<int:pk>/", views_visit.from_visit, name="from_visit"),
]
