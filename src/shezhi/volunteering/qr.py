"""The check-in code shown at a post: an absolute URL with a fresh token, as an SVG QR code.

Drawn on the server by segno (pure Python): no CDN, no script library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import VolunteerActivity


@dataclass(frozen=True)
class Code:
    token: str
    url: str
    svg_data_uri: str
    expires_at: dt.datetime


def scan_path(token: str) -> str:
    return reverse("volunteering:scan", args=[token])


def current_code(request, activity: VolunteerActivity, *, now: dt.datetime | None = None) -> Code:
    now = now or timezone.now()
    token = services.make_scan_token(activity, now=now)
    url = request.build_absolute_uri(scan_path(token))
    qr = segno.make(url, error="m")
    return Code(
        token=token,
        url=url,
        svg_data_uri=qr.svg_data_uri(scale=8, border=2, dark="#111", light="#fff"),
        expires_at=now + dt.timedelta(seconds=services.token_seconds()),
    )
