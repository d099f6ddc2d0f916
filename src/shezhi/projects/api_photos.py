"""Photos of micro-projects through /api/v1/ (multipart): a proposal's photos, a
milestone's photo when it is done, the receipt of a cash payment or of an expense.

Each upload goes through ``core.photos`` like every other app's (JPEG, PNG or WebP, at
most ``SHEZHI_MAX_PHOTO_BYTES`` each, resized, EXIF stripped): a bad one answers 400
naming the field, with nothing written. The form fields default to empty so that the
services, not the parser, refuse a missing one, naming it (and a project outside the
caller's scope is a 404 before anything is read). The photos themselves are served to
those who may see them: a proposal's, a milestone's and an expense's receipt to anyone
who may see the project; a payment's receipt (it bears the payer's name) to those who
record payments.
"""

import datetime as dt
from contextlib import contextmanager

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from shezhi.core.apitypes import Id, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.core.photos import served

from . import permissions, recording, selectors, services
from . import photos as proposal_photos
from .api import WRITE_ERRORS, ExpenseOut, MilestoneOut, PaymentOut
from .models import Expense, Milestone, Payment, Project

router = Router()
JPEG = {
    200: {
        "description": "The photo (JPEG)",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
    }
}
PHOTO_NOTE = (
    " Photos are JPEG, PNG or WebP, checked, resized and stripped of EXIF; one too big or"
    " not an image answers 400 naming the field, with nothing written."
)


class ProjectPhotoOut(Schema):
    id: int
    url: str
    at: dt.datetime


class ReceiptPaymentForm(Schema):
    payer_name: str = ""
    amount: int = 0
    channel: str = ""
    reference: str = ""
    named: bool = False


class ReceiptExpenseForm(Schema):
    payee: str = ""
    description: str = ""
    amount: int = 0
    milestone: int | None = None


class MilestoneDoneForm(Schema):
    note: str = ""


@contextmanager
def _photo_named(field: str):
    """``core.photos`` names its refusals ``photos``; here the part is ``field``."""
    try:
        yield
    except BadInput as exc:
        if exc.field == "photos":
            exc.field = field
        raise


def _project(request, pk) -> Project:
    return selectors.get_project(request.user, pk)


def _photo_out(photo) -> dict:
    return {
        "id": photo.pk,
        "url": reverse(
            "api:project_photo", kwargs={"project_id": photo.project_id, "photo_id": photo.pk}
        ),
        "at": photo.at,
    }


@router.get(
    "/projects/{project_id}/photos", response={200: list[ProjectPhotoOut], 404: NotFoundOut}
)
def list_photos(request: HttpRequest, project_id: Id):
    """A proposal's photos (at most ``SHEZHI_MAX_PHOTOS``), oldest first."""
    return [_photo_out(p) for p in _project(request, project_id).photos.all()]


@router.post(
    "/projects/{project_id}/photos",
    response={201: list[ProjectPhotoOut], **WRITE_ERRORS},
    summary="Add photos to a proposal (multipart `photos`)",
    description="The initiator or the community's staff, while the proposal collects backings,"
    " is in review or was returned; at most six photos per project." + PHOTO_NOTE,
)
def add_photos(request: HttpRequest, project_id: Id, photos: File[list[UploadedFile]] = None):
    project = _project(request, project_id)
    made = proposal_photos.add_photos(actor=request.user, project=project, photos=photos or ())
    return Status(201, [_photo_out(p) for p in made])


@router.get(
    "/projects/{project_id}/photos/{photo_id}",
    response={404: NotFoundOut},
    openapi_extra={"responses": JPEG},
    url_name="project_photo",
    summary="One of a proposal's photos",
)
def project_photo(request: HttpRequest, project_id: Id, photo_id: Id):
    found = _project(request, project_id).photos.filter(pk=photo_id).first()
    return served(found.image if found else None)


@router.post(
    "/projects/{project_id}/payments/with-photos",
    response={201: PaymentOut, 200: PaymentOut, **WRITE_ERRORS},
    summary="Record a payment with its receipt photo (multipart; cash needs `receipt`)",
    description="The fields of `POST /projects/{id}/payments` as form fields, plus `receipt`."
    " Idempotent on channel + reference: the same reference again answers 200 with the first"
    " payment; with another amount 422 naming `amount` (another project's: `reference`)."
    + PHOTO_NOTE,
)
def record_payment_with_receipt(
    request: HttpRequest,
    project_id: Id,
    payload: Form[ReceiptPaymentForm],
    receipt: File[UploadedFile] = None,
):
    project = _project(request, project_id)
    with _photo_named("receipt"):
        done = recording.record_payment(
            actor=request.user,
            project=project,
            payer_name=payload.payer_name,
            amount=payload.amount,
            channel=payload.channel,
            reference=payload.reference,
            named=payload.named,
            receipt=receipt,
        )
    done.payment.created = done.created
    return Status(201 if done.created else 200, done.payment)


@router.get(
    "/projects/{project_id}/payments/{payment_id}/receipt",
    response={404: NotFoundOut},
    openapi_extra={"responses": JPEG},
    summary="A payment's receipt photo (those who record payments)",
)
def payment_receipt(request: HttpRequest, project_id: Id, payment_id: Id):
    project = _project(request, project_id)
    if not permissions.can(request.user, "record_payment", project):
        raise Http404("No such receipt.")
    found = Payment.objects.filter(project=project, pk=payment_id).first()
    return served(found.receipt if found else None)


@router.post(
    "/projects/{project_id}/expenses/with-photos",
    response={201: ExpenseOut, **WRITE_ERRORS},
    summary="Record an expense with its receipt photo (multipart `receipt`)",
    description="The fields of `POST /projects/{id}/expenses` as form fields (and optionally"
    " the `milestone` it belongs to), plus `receipt`. Never more than the project holds."
    + PHOTO_NOTE,
)
def record_expense_with_receipt(
    request: HttpRequest,
    project_id: Id,
    payload: Form[ReceiptExpenseForm],
    receipt: File[UploadedFile] = None,
):
    project = _project(request, project_id)
    milestone = None
    if payload.milestone is not None:
        milestone = Milestone.objects.filter(project=project, pk=payload.milestone).first()
        if milestone is None:
            raise BadInput(_("No such milestone."), field="milestone")
    with _photo_named("receipt"):
        expense = services.record_expense(
            actor=request.user,
            project=project,
            payee=payload.payee,
            description=payload.description,
            amount=payload.amount,
            receipt=receipt,
            milestone=milestone,
        )
    return Status(201, expense)


@router.get(
    "/projects/{project_id}/expenses/{expense_id}/receipt",
    response={404: NotFoundOut},
    openapi_extra={"responses": JPEG},
    summary="An expense's receipt photo (public accounts)",
)
def expense_receipt(request: HttpRequest, project_id: Id, expense_id: Id):
    found = Expense.objects.filter(project=_project(request, project_id), pk=expense_id).first()
    return served(found.receipt if found else None)


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/done",
    response={200: MilestoneOut, **WRITE_ERRORS},
    summary="Mark a milestone done, with a note and a photo (multipart `photo`)",
    description="The initiator or the community's staff; once per milestone." + PHOTO_NOTE,
)
def milestone_done(
    request: HttpRequest,
    project_id: Id,
    milestone_id: Id,
    payload: Form[MilestoneDoneForm],
    photo: File[UploadedFile] = None,
):
    project = _project(request, project_id)
    milestone = Milestone.objects.filter(project=project, pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone.")
    with _photo_named("photo"):
        return services.complete_milestone(
            actor=request.user, milestone=milestone, note=payload.note, photo=photo
        )


@router.get(
    "/projects/{project_id}/milestones/{milestone_id}/photo",
    response={404: NotFoundOut},
    openapi_extra={"responses": JPEG},
    summary="A milestone's photo",
)
def milestone_photo(request: HttpRequest, project_id: Id, milestone_id: Id):
    project = _project(request, project_id)
    found = Milestone.objects.filter(project=project, pk=milestone_id).first()
    return served(found.photo if found else None)
