from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/<str:code>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/wall/", views.wall, name="wall"),
    path("<int:pk>/data.json", views.data, name="data"),
    path("<int:pk>/check/", views.check_list, name="check_list"),
    path("<int:pk>/lines/<int:line_id>/check/", views.check, name="check"),
    path("<int:pk>/lines/<int:line_id>/hand-out/", views.hand_out, name="hand_out"),
    path("<int:pk>/roll-call/", views.roll_call, name="roll_call"),
    path("<int:pk>/stand-down/", views.stand_down, name="stand_down"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
