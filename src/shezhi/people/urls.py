from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("area/<str:code>/", views.area_people, name="area_people"),
    path("team/<str:code>/", views.team, name="team"),
    path("counts/<str:code>/", views.counts, name="counts"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
]
