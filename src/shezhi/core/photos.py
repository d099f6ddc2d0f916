"""Photos from phones: checked, located from EXIF, resized and stripped of EXIF.

Everything here runs before anything is written, so a bad photo never leaves
half an event behind.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BadInput

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
GPS_IFD = 0x8825


def max_bytes() -> int:
    return getattr(settings, "SHEZHI_MAX_PHOTO_BYTES", 10 * 1024 * 1024)


def max_photos() -> int:
    return getattr(settings, "SHEZHI_MAX_PHOTOS", 6)


def max_edge() -> int:
    return getattr(settings, "SHEZHI_PHOTO_MAX_EDGE", 1600)


def max_pixels() -> int:
    """How many pixels one photo may decode to: what bounds its memory and time.

    A few hundred kilobytes of PNG can hold 88 million pixels (Pillow's own
    decompression-bomb limit is 89 million), and six of those took a worker
    ten seconds. Checked from the header, before anything is decoded.
    """
    return getattr(settings, "SHEZHI_PHOTO_MAX_PIXELS", 40_000_000)


@dataclass
class ProcessedPhoto:
    content: ContentFile
    lng: float | None
    lat: float | None


def _dms(value, ref: str) -> float:
    d, m, s = (float(x) for x in value)
    deg = d + m / 60 + s / 3600
    return -deg if ref in ("S", "W") else deg


def exif_location(image: Image.Image) -> tuple[float, float] | None:
    """(lng, lat) in WGS84 from the photo's GPS tags, when it has sane ones."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = _dms(gps[2], gps.get(1, "N"))
        lng = _dms(gps[4], gps.get(3, "E"))
    except (TypeError, ValueError, ZeroDivisionError, KeyError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None
    return lng, lat


def process_photo(upload, *, index: int = 1) -> ProcessedPhoto:
    """Check one uploaded file and return a resized JPEG without EXIF."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    name = getattr(upload, "name", "") or f"#{index}"
    if size > max_bytes():
        raise BadInput(
            _("Photo %(name)s is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"name": name, "size": size / 1048576, "limit": max_bytes() / 1048576},
            field="photos",
        )
    not_image = BadInput(
        _("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}, field="photos"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(upload)
            if probe.format not in ACCEPTED_FORMATS:
                raise not_image
            original_size = probe.size
            probe.verify()
            upload.seek(0)
            image = Image.open(upload)
            # A JPEG decodes straight to a half, quarter or eighth of its size when
            # only a small copy is kept: a 50-megapixel phone photo costs 12.
            image.draft(None, (max_edge(), max_edge()))
            width, height = image.size
            if width * height > max_pixels():
                raise BadInput(
                    _(
                        "Photo %(name)s is %(width)d × %(height)d pixels; the limit is "
                        "%(limit)s million pixels. Please send a smaller copy."
                    )
                    % {
                        "name": name,
                        "width": original_size[0],
                        "height": original_size[1],
                        "limit": f"{max_pixels() / 1_000_000:g}",
                    },
                    field="photos",
                )
            location = exif_location(image)
            image = ImageOps.exif_transpose(image)
            image.load()
    except BadInput:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_image from None
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((max_edge(), max_edge()))
    out = io.BytesIO()
    # A fresh save without exif= drops every EXIF tag, location included.
    image.save(out, format="JPEG", quality=85, optimize=True)
    lng, lat = location if location else (None, None)
    return ProcessedPhoto(ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), lng, lat)


def process_photos(uploads) -> list[ProcessedPhoto]:
    """Each upload checked and processed; one already processed (a held photo, or a
    service that checked its photos before writing anything) passes as it is."""
    uploads = list(uploads or [])
    if len(uploads) > max_photos():
        raise BadInput(_("At most %(n)d photos per step.") % {"n": max_photos()}, field="photos")
    return [
        u if isinstance(u, ProcessedPhoto) else process_photo(u, index=i)
        for i, u in enumerate(uploads, 1)
    ]


def served(image, *, public: bool = False):
    """A stored photo (an ``ImageField``'s file, or None) as a JPEG response; a missing
    one is a 404. The caller has checked who may see it: ``public`` lets shared caches
    keep it (a service post's), otherwise only the reader's browser does."""
    if not image:
        raise Http404("No such photo.")
    try:
        handle = default_storage.open(image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=3600"
    return response
