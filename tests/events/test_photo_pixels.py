"""A photo's pixel count is capped before anything is decoded.

A 9,400 × 9,400 PNG is 258 KB yet passes Pillow's decompression-bomb limit; six
of them in one request kept a worker busy for ten seconds.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from shezhi.core.errors import BadInput
from shezhi.core.photos import process_photo
from shezhi.events.models import Event
from tests.areas.test_api import bearer
from tests.events.conftest import IN_MICRO1, jpeg


def forged_png(width: int, height: int, name: str = "huge.png") -> SimpleUploadedFile:
    """A valid little PNG whose header claims ``width`` × ``height``: costs nothing to make.

    Decoding it would ask for the claimed pixels; the header is all the cap may read.
    """
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return SimpleUploadedFile(name, bytes(data), content_type="image/png")


def png(width: int, height: int, name: str = "plan.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("1", (width, height)).save(buf, format="PNG")  # one bit a pixel: cheap
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_the_88_megapixel_png_is_refused_from_its_header(monkeypatch):
    def no_decoding(self):
        raise AssertionError("decoded a photo that is over the pixel limit")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.monotonic()
    with pytest.raises(BadInput) as err:
        process_photo(forged_png(9400, 9400, "ditch.png"))
    assert time.monotonic() - started < 1
    assert err.value.field == "photos"
    message = err.value.message
    assert "ditch.png" in message and "9400 × 9400" in message and "40" in message


def test_the_limit_is_a_setting_and_counts_what_is_decoded(settings):
    settings.SHEZHI_PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(BadInput, match="1200 × 1000"):
        process_photo(png(1200, 1000))
    assert process_photo(png(1000, 1000)).content.size > 0
    # A JPEG decodes at a half/quarter/eighth of its size when only a small copy is kept:
    # a 3-megapixel phone photo decodes to 0.75 and passes.
    settings.SHEZHI_PHOTO_MAX_EDGE = 400
    kept = process_photo(jpeg(2000, 1500))
    assert Image.open(kept.content).size == (400, 300)


@pytest.mark.django_db
def test_the_api_answers_400_naming_the_photo_and_writes_nothing(client, actors):
    headers = bearer(client, "resident")
    before = Event.objects.count()
    resp = client.post(
        "/api/v1/events/with-photos",
        {
            "category": "0101",
            "description": "路边垃圾",
            "lng": str(IN_MICRO1[0]),
            "lat": str(IN_MICRO1[1]),
            "photos": [jpeg(), *(forged_png(9400, 9400, f"big{i}.png") for i in range(5))],
        },
        **headers,
    )
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "bad_input" and body["field"] == "photos"
    assert "big0.png" in body["detail"] and "像素" in body["detail"]
    assert Event.objects.count() == before
