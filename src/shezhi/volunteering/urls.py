from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("<int:pk>/cancel-sign-up/", views.cancel_signup, name="cancel_signup"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/cancel/", views.manage_cancel, name="manage_cancel"),
    path(
        "manage/<int:pk>/sign-ups/<int:signup_id>/<str:action>/",
        views.manage_attendance,
        name="manage_attendance",
    ),
    path("manage/<int:pk>/qr/", views.manage_qr, name="manage_qr"),
    path("manage/<int:pk>/qr/current.json", views.manage_qr_current, name="manage_qr_current"),
]
