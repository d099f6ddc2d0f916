from django.urls import path

from . import binding_views, transfer_views, views

app_name = "households"

urlpatterns = [
    path("", views.household_list, name="list"),
    path("<int:pk>/", views.household_detail, name="household"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("residents/<int:pk>/tags/", views.set_tags, name="tags"),
    path("overview/", views.overview_home, name="overview_home"),
    path("overview/<str:code>/", views.overview, name="overview"),
    # Residents' own sign-ins (issue 15 §5).
    path("bind/", binding_views.bind, name="bind"),
    path("mine/", binding_views.mine, name="mine"),
    path("bindings/", binding_views.bindings, name="bindings"),
    path("bindings/<int:pk>/decide/", binding_views.decide, name="decide_binding"),
    path("import/", transfer_views.upload, name="import"),
    path("import/template/", transfer_views.template, name="import_template"),
    path("import/<int:pk>/", transfer_views.report, name="import_report"),
    path("export/<str:code>/", transfer_views.export, name="export"),
]
