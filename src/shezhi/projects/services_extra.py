"""Writes the residents' pages need beyond ``services`` (kept apart so ``services`` stays
one public surface): a proposal with its photos, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shezhi.core import photos as photo_processing

from . import services
from .models import Project, ProjectPhoto


def propose_with_photos(*, photos=(), **kwargs) -> Project:
    """``services.propose`` and up to six photos of the place: every photo is checked
    before anything is written, and a refused proposal keeps no photo."""
    processed = photo_processing.process_photos(list(photos))  # BadInput names "photos"
    with transaction.atomic():
        project = services.propose(**kwargs)
        now = timezone.now()
        for p in processed:
            row = ProjectPhoto(project=project, at=now)
            row.image.save(p.content.name, p.content, save=False)
            row.save()
    return project
