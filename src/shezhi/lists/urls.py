from django.urls import path

from . import views

app_name = "lists"

urlpatterns = [
    path("", views.index, name="index"),
    path("resources/", views.resources, name="resources"),
    path("community/", views.my_community, name="my_community"),
    path("public/<str:code>/", views.public, name="public"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/move/", views.move, name="move"),
    path("items/<int:pk>/match/", views.match, name="match"),
    path("items/<int:pk>/public/", views.public_item, name="public_item"),
    path("items/<int:pk>/rate/", views.rate, name="rate"),
]
