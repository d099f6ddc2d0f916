"""The command dashboard's pages (驾驶舱)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/data.json", views.data, name="data"),
    path("<str:code>/heat.json", views.heat, name="heat"),
    path("<str:code>/wall/", views.wall, name="wall"),
]
