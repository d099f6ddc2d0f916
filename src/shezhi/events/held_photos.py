"""Photos of a report form the server refused, held for the corrected form.

A resident picks photos, forgets the location (or a description), and the
server refuses the form: the browser cannot put files back into a file input,
so without this the photos would silently be gone. Instead the refused
request's photos are checked (``photos.process_photo``) and held, tied to the
sender and the form's idempotency key; the form comes back with their
thumbnails ticked, and the next submission sends them with the event.

Writes (``hold``, ``keep_only``, ``release``, ``sweep``) and reads (``held``,
``as_processed``) of held photos live here, beside the report's own service.
"""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import photos as photo_processing
from shezhi.core.errors import BadInput

from .models import HeldPhoto

# Held photos of a form never sent are deleted after this long.
HOLD_FOR = timedelta(days=1)
# The keys the report form makes (uuid4 hex); anything else is not held.
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def valid_key(key) -> bool:
    return bool(key) and bool(KEY_RE.match(str(key)))


def held(*, user, key) -> list[HeldPhoto]:
    """The photos held for this sender and form, oldest first."""
    if not valid_key(key) or not getattr(user, "is_authenticated", False):
        return []
    return list(HeldPhoto.objects.filter(user=user, key=key).order_by("id"))


def _delete(photos) -> None:
    names = [p.image.name for p in photos if p.image]
    HeldPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()

    def remove() -> None:
        for name in names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)

    transaction.on_commit(remove)


def keep_only(*, user, key, ids) -> list[HeldPhoto]:
    """Keep the held photos whose ids the form sent back (still ticked); drop the others."""
    wanted = set()
    for value in ids or ():
        with contextlib.suppress(TypeError, ValueError):
            wanted.add(int(value))
    photos = held(user=user, key=key)
    dropped = [p for p in photos if p.pk not in wanted]
    if dropped:
        _delete(dropped)
    return [p for p in photos if p.pk in wanted]


def hold(*, user, key, uploads, already: int = 0) -> tuple[list[HeldPhoto], list[str]]:
    """Check and hold the uploads of a refused form; returns (held, messages about the rest).

    ``already``: photos held before for the form, counted against the limit.
    A photo that is not a photo (or too large) is not held and gets a message;
    so do photos beyond the limit per report.
    """
    uploads = [u for u in uploads or () if u]
    if not uploads or not valid_key(key) or not getattr(user, "is_authenticated", False):
        return [], []
    sweep()
    room = max(photo_processing.max_photos() - already, 0)
    errors: list[str] = []
    if len(uploads) > room:
        errors.append(
            _("At most %(n)d photos per report: the last %(extra)d were not kept.")
            % {"n": photo_processing.max_photos(), "extra": len(uploads) - room}
        )
        uploads = uploads[:room]
    kept: list[HeldPhoto] = []
    for i, upload in enumerate(uploads, 1):
        try:
            processed = photo_processing.process_photo(upload, index=i)
        except BadInput as exc:
            errors.append(exc.message)
            continue
        photo = HeldPhoto(user=user, key=key, taken_lng=processed.lng, taken_lat=processed.lat)
        photo.image.save(processed.content.name, processed.content, save=False)
        photo.save()
        kept.append(photo)
    return kept, errors


def as_processed(photos) -> list[photo_processing.ProcessedPhoto]:
    """The held photos as the report's service takes them (already checked: not again)."""
    out = []
    for p in photos:
        with p.image.open("rb") as handle:
            content = ContentFile(handle.read(), name=p.image.name.rsplit("/", 1)[-1])
        out.append(photo_processing.ProcessedPhoto(content, p.taken_lng, p.taken_lat))
    return out


def release(*, user, key) -> None:
    """The report is sent (its photos were copied to the event): forget the held ones."""
    photos = held(user=user, key=key)
    if photos:
        _delete(photos)


def sweep(now=None) -> int:
    """Delete photos held longer than ``HOLD_FOR`` (forms never sent); how many."""
    stale = list(HeldPhoto.objects.filter(created_at__lt=(now or timezone.now()) - HOLD_FOR))
    if stale:
        _delete(stale)
    return len(stale)
