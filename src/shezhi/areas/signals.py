"""Keep every process's spatial index honest: any boundary write bumps the revision."""

from __future__ import annotations

import uuid

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Area, BoundaryRevision


def bump_boundary_revision() -> None:
    from .locating import revision_snapshot

    # This process sees its own write at once; the others within a snapshot period.
    revision_snapshot.clear()
    token = uuid.uuid4().hex
    updated = BoundaryRevision.objects.filter(pk=1).update(revision=F("revision") + 1, token=token)
    if not updated:
        BoundaryRevision.objects.update_or_create(pk=1, defaults={"revision": 1, "token": token})


@receiver(post_save, sender=Area)
@receiver(post_delete, sender=Area)
def _area_changed(sender, **kwargs) -> None:
    bump_boundary_revision()
