"""The micro-projects' pages under /projects/: the residents' and initiators' pages
(``views_resident``) and the staff's (``views_staff``), each block kept together."""

from django.urls import path

from . import views_resident as resident
from . import views_staff

app_name = "projects"

# The staff's pages (review queue, funds and rules, payments, exports).
staff_urlpatterns = [
    path("staff/", views_staff.index, name="staff_index"),
    path("staff/<int:pk>/review/", views_staff.review, name="staff_review"),
    path("staff/<int:pk>/payments/", views_staff.payments, name="staff_payments"),
    path("staff/<int:pk>/accounts.xlsx", views_staff.project_export, name="staff_export"),
    path("staff/<int:pk>/refunds/", views_staff.refunds, name="staff_refunds"),
    path(
        "staff/<int:pk>/payments/<int:payment_id>/refund/",
        views_staff.refund_payment,
        name="staff_refund_payment",
    ),
    path(
        "staff/<int:pk>/payments/<int:payment_id>/reverse/",
        views_staff.reverse_payment,
        name="staff_reverse_payment",
    ),
    path(
        "staff/<int:pk>/expenses/<int:expense_id>/reverse/",
        views_staff.reverse_expense,
        name="staff_reverse_expense",
    ),
    path("staff/funds/", views_staff.funds, name="staff_funds"),
    path("staff/funds/<int:pk>/", views_staff.fund, name="staff_fund"),
    path("staff/funds/<int:pk>/top-up/", views_staff.fund_top_up, name="staff_fund_top_up"),
    path("staff/funds/<int:pk>/statement.xlsx", views_staff.fund_export, name="staff_fund_export"),
]

urlpatterns = [
    # Residents' and initiators' phone pages (views_resident).
    path("", resident.near, name="near"),
    path("new/", resident.propose, name="propose"),
    path("<int:pk>/", resident.detail, name="detail"),
    path("<int:pk>/back/", resident.back, name="back"),
    path("<int:pk>/pledge/", resident.pledge, name="pledge"),
    path("<int:pk>/rate/", resident.rate, name="rate"),
    path("<int:pk>/photos/<int:photo_id>/", resident.photo, name="photo"),
    path(
        "<int:pk>/milestones/<int:milestone_id>/photo/",
        resident.milestone_photo,
        name="milestone_photo",
    ),
    path(
        "<int:pk>/expenses/<int:expense_id>/receipt/",
        resident.expense_receipt,
        name="expense_receipt",
    ),
    path(
        "<int:pk>/payments/<int:payment_id>/receipt/",
        resident.payment_receipt,
        name="payment_receipt",
    ),
    path("<int:pk>/manage/", resident.manage, name="manage"),
    path("<int:pk>/manage/milestones/", resident.add_milestone, name="add_milestone"),
    path(
        "<int:pk>/manage/milestones/<int:milestone_id>/done/",
        resident.milestone_done,
        name="milestone_done",
    ),
    path("<int:pk>/manage/expenses/", resident.record_expense, name="record_expense"),
    path("<int:pk>/manage/payments/", resident.record_payment, name="initiator_payment"),
    path("<int:pk>/manage/complete/", resident.complete, name="complete"),
    path("<int:pk>/manage/resubmit/", resident.resubmit, name="resubmit"),
    path("<int:pk>/manage/close-funding/", resident.close_funding, name="close_funding"),
    *staff_urlpatterns,
]
