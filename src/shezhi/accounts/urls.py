from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("code/", views.code_sign_in, name="code"),
    path("phone/", views.password_sign_in, name="phone"),
]
