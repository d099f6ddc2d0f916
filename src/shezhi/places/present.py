"""How a post reads to people: its dict for the API and the map, shared by views and API."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from . import hours as opening
from .models import ServiceHub, ServicePost


def responsible_name(user) -> str:
    """The responsible person's name for the public (never their phone or account)."""
    if user is None:
        return ""
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is not None and getattr(person, "name", ""):
        return person.name
    return user.get_full_name() or user.get_username()


def photo_url(post: ServicePost, photo_id: int) -> str:
    return reverse("places:photo", args=[post.pk, photo_id])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def post_dict(
    post: ServicePost,
    *,
    at: dt.datetime | None = None,
    state: opening.OpenState | None = None,
    distance_m: float | None = None,
    staff: bool = False,
    photos: bool = False,
) -> dict:
    state = state or opening.state(post.opening_hours, at)
    out = {
        "id": post.pk,
        "name": post.name,
        "type": post.type,
        "type_label": str(ServicePost.Type(post.type).label),
        "area": {"code": post.area.code, "name": post.area.name, "level": post.area.level},
        "address": post.address,
        "lng": post.lng,
        "lat": post.lat,
        "opening_hours": post.opening_hours or {},
        "services": list(post.services or []),
        "phone": post.phone,
        "description": post.description,
        "responsible_name": responsible_name(post.responsible),
        "open_now": state.open,
        "today": state.today,
        "today_label": opening.label(state.today),
        "closes_at": _iso(state.closes_at),
        "opens_at": _iso(state.opens_at),
        "distance_m": round(distance_m, 1) if distance_m is not None else None,
        "url": reverse("places:detail", args=[post.pk]),
    }
    if photos:
        out["photos"] = [
            {"id": p.pk, "url": photo_url(post, p.pk), "caption": p.caption}
            for p in post.photos.all()
        ]
    if staff:
        out.update(
            active=post.active,
            responsible=post.responsible.get_username() if post.responsible_id else None,
            created_at=_iso(post.created_at),
            updated_at=_iso(post.updated_at),
            edit_url=reverse("places:edit", args=[post.pk]),
        )
    return out


def distance_label(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    return f"{metres / 1000:.1f} km"


def hub_dict(hub: ServiceHub, *, at: dt.datetime | None = None, staff: bool = False) -> dict:
    """A hub for the API and the directory (its area and compound loaded with it)."""
    state = opening.state(hub.opening_hours, at)
    out = {
        "id": hub.pk,
        "name": hub.name,
        "tier": hub.tier,
        "tier_label": str(ServiceHub.Tier(hub.tier).label),
        "area": {"code": hub.area.code, "name": hub.area.name, "level": hub.area.level},
        "compound": (
            {"id": hub.compound_id, "name": hub.compound.name} if hub.compound_id else None
        ),
        "address": hub.address,
        "lng": hub.lng,
        "lat": hub.lat,
        "opening_hours": hub.opening_hours or {},
        "services": list(hub.services or []),
        "phone": hub.phone,
        "description": hub.description,
        "open_now": state.open,
        "today_label": opening.label(state.today),
        "url": reverse("hubs:detail", args=[hub.pk]),
    }
    if staff:
        out.update(
            active=hub.active,
            created_at=_iso(hub.created_at),
            updated_at=_iso(hub.updated_at),
            edit_url=reverse("hubs:edit", args=[hub.pk]),
        )
    return out
