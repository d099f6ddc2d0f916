"""The micro-projects' pages under /projects/: the residents' and initiators' pages
(``views_resident``) and the staff's (``views_staff``), each block kept together."""

from django.urls import path

from . import views_staff

app_name = "projects"

# The staff's pages (review queue, funds and rules, payments, exports).
staff_urlpatterns = [
    path("staff/", views_staff.index, name="staff_index"),
    path("staff/<int:pk>/review/", views_staff.review, name="staff_review"),
    path("staff/<int:pk>/payments/", views_staff.payments, name="staff_payments"),
    path("staff/<int:pk>/accounts.xlsx", views_staff.project_export, name="staff_export"),
    path("staff/funds/", views_staff.funds, name="staff_funds"),
    path("staff/funds/<int:pk>/", views_staff.fund, name="staff_fund"),
    path("staff/funds/<int:pk>/top-up/", views_staff.fund_top_up, name="staff_fund_top_up"),
    path("staff/funds/<int:pk>/statement.xlsx", views_staff.fund_export, name="staff_fund_export"),
]

urlpatterns = [*staff_urlpatterns]
