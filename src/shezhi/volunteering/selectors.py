"""Every read of volunteer activities; the only place their scope applies.

Who sees what:
- published activities (and cancelled ones, marked so) are public: anybody may
  list the upcoming ones and open one;
- a volunteer sees their own sign-ups, hours and points;
- staff manage the activities of the posts they manage (``permissions``, ``manage``):
  community/street staff and district admins over the post's area, and the post's
  responsible person. Their rosters name volunteers, never their phones.
Anything managed outside the user's scope answers 404.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shezhi.core.lists import subtree_q
from shezhi.places.models import ServicePost

from . import permissions
from .models import Signup, VolunteerActivity

A = VolunteerActivity.Status
UPCOMING_MAX = 200
# What no list shows of an activity's post: its hours and services (JSON, parsed per row).
POST_UNSHOWN = ("post__opening_hours", "post__services", "post__description")
# The staff's lists: the soonest first, or the latest first (keyset orders).
UPCOMING_ORDER = ("starts_at", "id")
PAST_ORDER = ("-starts_at", "-id")


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# ---------------------------------------------------------------------------
# Public


def public_activities() -> QuerySet[VolunteerActivity]:
    return VolunteerActivity.objects.select_related("post", "area").defer("area__boundary")


def get_activity(pk) -> VolunteerActivity:
    """Any activity by id (activities are public); 404 when there is none."""
    found = public_activities().filter(pk=_int(pk)).first()
    if found is None:
        raise Http404("No such activity.")
    return found


def distance_m(lng0: float, lat0: float, lng1: float, lat1: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_008.8
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp, dl = p1 - p0, math.radians(lng1 - lng0)
    h = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def upcoming(
    *,
    now: dt.datetime | None = None,
    near: tuple[float, float] | None = None,
    post: ServicePost | int | None = None,
    area_path: str = "",
    limit: int = 50,
) -> list[VolunteerActivity]:
    """Published activities not yet over, soonest first, or nearest first given ``near``.

    With ``near`` (lng, lat) each row gets ``distance_m`` to its post.
    """
    now = now or timezone.now()
    qs = public_activities().filter(status=A.PUBLISHED, ends_at__gt=now).defer(*POST_UNSHOWN)
    if post is not None:
        qs = qs.filter(post=post)
    if area_path:
        qs = qs.filter(subtree_q("area_path", area_path))
    limit = max(1, min(limit, UPCOMING_MAX))
    if near is None:
        return list(qs.order_by("starts_at", "pk")[:limit])
    lng, lat = near
    rows = list(qs.order_by("starts_at", "pk")[:2000])
    for row in rows:
        row.distance_m = distance_m(lng, lat, row.post.lng, row.post.lat)
        row.distance_km = row.distance_m / 1000
    rows.sort(key=lambda r: (round(r.distance_m, -1), r.starts_at, r.pk))
    return rows[:limit]


# ---------------------------------------------------------------------------
# A volunteer's own


def current_signup(user, activity: VolunteerActivity) -> Signup | None:
    if not user.is_authenticated:
        return None
    return Signup.objects.filter(
        activity=activity, user=user, status=Signup.Status.SIGNED_UP
    ).first()


def my_signups(user) -> QuerySet[Signup]:
    """The user's current sign-ups (cancelled ones left out), newest activity first."""
    if not user.is_authenticated:
        return Signup.objects.none()
    return (
        Signup.objects.filter(user=user, status=Signup.Status.SIGNED_UP)
        .select_related("activity__post", "activity__area", "transfer")
        .defer("activity__area__boundary")
        .order_by("-activity__starts_at", "-pk")
    )


@dataclass
class Totals:
    activities: int
    minutes: int
    points: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def my_totals(user) -> Totals:
    qs = my_signups(user).filter(checked_out_at__isnull=False)
    agg = qs.aggregate(minutes=Sum("minutes"), points=Sum("transfer__points"))
    return Totals(qs.count(), agg["minutes"] or 0, agg["points"] or 0)


# ---------------------------------------------------------------------------
# Staff


def managed_posts(user) -> QuerySet[ServicePost]:
    if not user.is_authenticated:
        return ServicePost.objects.none()
    qs = ServicePost.objects.select_related("area")
    cond = permissions.scope(user, "manage")
    return (qs if cond is None else qs.filter(cond)).order_by("area_path", "name", "pk")


def get_managed_post(user, pk) -> ServicePost:
    found = managed_posts(user).filter(pk=_int(pk)).first()
    if found is None:
        raise Http404("No such service post.")
    return found


def managed_activities(
    user, *, when: str = "", post: ServicePost | None = None, now: dt.datetime | None = None
) -> QuerySet[VolunteerActivity]:
    """Activities at the posts the user manages. ``when``: "upcoming", "past" or all."""
    if not user.is_authenticated:
        return VolunteerActivity.objects.none()
    qs = public_activities()
    cond = permissions.scope(user, "manage", responsible="post__responsible")
    if cond is not None:
        qs = qs.filter(cond)
    if post is not None:
        qs = qs.filter(post=post)
    now = now or timezone.now()
    if when == "upcoming":
        return qs.filter(ends_at__gt=now).order_by(*UPCOMING_ORDER)
    if when == "past":
        # An activity ends after it starts (a check constraint), so one that is over
        # started before now: the bound lets the (starts_at, id) index walk from now back.
        return qs.filter(ends_at__lte=now, starts_at__lt=now).order_by(*PAST_ORDER)
    return qs.order_by(*PAST_ORDER)


def get_managed_activity(user, pk) -> VolunteerActivity:
    found = managed_activities(user).select_related("post__area").filter(pk=_int(pk)).first()
    if found is None:
        raise Http404("No such activity.")
    return found


def get_managed_signup(user, activity: VolunteerActivity, pk) -> Signup:
    found = activity.signups.filter(pk=_int(pk)).first()
    if found is None:
        raise Http404("No such sign-up.")
    return found


@dataclass
class RosterRow:
    signup_id: int
    name: str
    status: str
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    check_out_method: str
    minutes: int
    points: int | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def attendance(self) -> str:
        if self.status != Signup.Status.SIGNED_UP:
            return "cancelled"
        if self.checked_out_at:
            return "checked_out"
        if self.checked_in_at:
            return "checked_in"
        return "signed_up"


def volunteer_name(user) -> str:
    """What a roster shows: the person's name, else their user name; never a phone."""
    return user.get_full_name() or user.get_username()


def roster(activity: VolunteerActivity) -> list[RosterRow]:
    """Everyone who signed up (cancelled sign-ups last). Call after ``get_managed_activity``."""
    rows = (
        activity.signups.select_related("user", "transfer")
        .only(
            "pk", "status", "signed_up_at", "checked_in_at", "checked_out_at",
            "check_out_method", "minutes", "user__username", "user__first_name",
            "user__last_name", "transfer__points",
        )
        .order_by("-status", "signed_up_at", "pk")
    )  # fmt: skip
    return [
        RosterRow(
            signup_id=s.pk,
            name=volunteer_name(s.user),
            status=s.status,
            signed_up_at=s.signed_up_at,
            checked_in_at=s.checked_in_at,
            checked_out_at=s.checked_out_at,
            check_out_method=s.check_out_method,
            minutes=s.minutes,
            points=s.transfer.points if s.transfer_id else None,
        )
        for s in rows
    ]
