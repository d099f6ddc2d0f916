from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<int:pk>/", views.board, name="board"),
    path("<int:pk>/broadcast/", views.compose, name="compose"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("broadcasts/<int:pk>/", views.answer, name="answer"),
    path("packages/<int:pk>/", views.package_page, name="package"),
]
