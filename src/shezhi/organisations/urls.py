from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/members/", views.add_member, name="add_member"),
    path("<int:pk>/members/<int:member_id>/leave/", views.leave, name="leave"),
    path("<int:pk>/stage/", views.move, name="move"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/activities/", views.link_activity, name="link_activity"),
    path("<int:pk>/demands/", views.take_on, name="take_on"),
    path("o/<int:pk>/", views.public, name="public"),
    path("community/<str:code>/", views.community, name="community"),
    path("funnel/<str:code>/", views.funnel, name="funnel"),
]
