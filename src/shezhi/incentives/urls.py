"""The points pages, mounted at /points/."""

from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.home, name="home"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("redemptions/<int:pk>/cancel/", views.cancel_mine, name="cancel_mine"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("leaderboard/export.xlsx", views.leaderboard_export, name="leaderboard_export"),
    path("rules/", views.rules_page, name="rules"),
    path("manage/", views.manage, name="manage"),
    path("manage/rewards/new/", views.reward_new, name="reward_new"),
    path("manage/rewards/<int:pk>/edit/", views.reward_edit, name="reward_edit"),
    path(
        "manage/redemptions/<int:pk>/hand-over/",
        views.hand_over,
        name="hand_over",
    ),
    path("manage/redemptions/<int:pk>/cancel/", views.cancel_managed, name="cancel_managed"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("transfers/<int:pk>/reverse/", views.reverse_transfer, name="reverse"),
]
