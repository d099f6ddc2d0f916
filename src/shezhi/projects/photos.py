"""Proposal photos (the place as it is): added by the initiator or the community's staff
while the proposal is still open to change (collecting backings, in review, returned).

Each upload is checked, resized and stripped of EXIF by ``core.photos`` before anything
is written; at most ``core.photos.max_photos()`` per project; files written for a
transaction that fails are removed again. (Receipt and milestone photos go through the
services that record the payment, the expense, the milestone.)
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import photos as photo_processing
from shezhi.core.audit_context import set_actor
from shezhi.core.errors import BadInput, Forbidden, NotAllowed

from . import permissions
from .models import Project, ProjectPhoto

OPEN = (Project.Stage.BACKING, Project.Stage.REVIEW, Project.Stage.RETURNED)


def may_add_photos(user, project: Project) -> bool:
    return project.initiator_id == getattr(user, "pk", None) or permissions.is_staff_over(
        user, project.community
    )


def add_photos(*, actor, project: Project, photos) -> list[ProjectPhoto]:
    uploads = list(photos or ())
    if not uploads:
        raise BadInput(_("Choose at least one photo."), field="photos")
    if not may_add_photos(actor, project):
        raise Forbidden(_("Only the initiator or the community's staff add photos."))
    if project.stage not in OPEN:
        raise NotAllowed(_("Photos are added while the proposal is open to change."))
    limit = photo_processing.max_photos()
    if project.photos.count() + len(uploads) > limit:
        raise BadInput(_("A project shows at most %(n)d photos.") % {"n": limit}, field="photos")
    processed = photo_processing.process_photos(uploads)
    saved: list[str] = []
    try:
        with transaction.atomic(), set_actor(actor):
            Project.objects.select_for_update().filter(pk=project.pk).first()
            if project.photos.count() + len(processed) > limit:
                raise BadInput(
                    _("A project shows at most %(n)d photos.") % {"n": limit}, field="photos"
                )
            made = []
            for p in processed:
                photo = ProjectPhoto(project=project, at=timezone.now())
                photo.image.save(p.content.name, p.content, save=False)
                saved.append(photo.image.name)
                photo.save()
                made.append(photo)
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return made
