"""The demo's volunteer activities: deterministic, idempotent, points through the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from shezhi.demo.volunteering import N_PAST, N_UPCOMING, build_demo_activities
from shezhi.incentives.models import Transfer
from shezhi.people.models import RoleAssignment
from shezhi.volunteering.models import Signup, VolunteerActivity
from tests.factories import make_user
from tests.volunteering.conftest import make_post

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 5, 11, 8, 0))


def test_no_posts_no_activities(territory):
    assert build_demo_activities(now=NOW) == 0


def _snapshot():
    acts = VolunteerActivity.objects.values_list("post__name", "title", "starts_at", "slots")
    signups = Signup.objects.values_list(
        "activity__title", "activity__starts_at", "user__username", "checked_in_at",
        "checked_out_at", "minutes", "transfer__points",
    )  # fmt: skip
    return sorted(map(str, acts)), sorted(map(str, signups))


class _Rollback(Exception):
    pass


def test_demo_activities_with_attendance_and_points(territory, actors, posts):
    for i in range(12):
        make_post(territory["micro2"], f"服务点{i}", 104.06 + i / 1000, 30.65)
    for i in range(10):
        make_user(f"res_{i:04d}", role="resident", area=territory["micro1"])
    assert RoleAssignment.objects.filter(role="resident").count() >= 10
    made = build_demo_activities(now=NOW)
    assert made == N_PAST + N_UPCOMING
    assert build_demo_activities(now=NOW) == 0  # idempotent
    past = VolunteerActivity.objects.filter(ends_at__lte=NOW)
    assert past.count() == N_PAST
    assert VolunteerActivity.objects.filter(starts_at__gt=NOW).count() == N_UPCOMING
    for a in VolunteerActivity.objects.all():
        assert a.signed_up == a.signups.count() <= a.slots
    # The demo resident took part, and got points through the ledger, dated in the past.
    mine = Signup.objects.filter(user=actors.resident, checked_out_at__isnull=False)
    assert mine.exists()
    for s in mine:
        assert s.transfer is not None and s.transfer.at == s.checked_out_at < NOW
        assert s.transfer.points == 10 * s.minutes // 60 or s.transfer.points <= 80
    assert Signup.objects.filter(user=actors.resident, activity__starts_at__gt=NOW).exists()
    assert (
        Transfer.objects.filter(cause_type="activity").count()
        == Signup.objects.filter(transfer__isnull=False).count()
    )
    first = _snapshot()
    assert len(first[1]) > N_PAST


def test_demo_is_deterministic(territory, actors, posts):
    for i in range(12):
        make_post(territory["micro2"], f"服务点{i}", 104.06 + i / 1000, 30.65)
    for i in range(10):
        make_user(f"res_{i:04d}", role="resident", area=territory["micro1"])
    try:
        with transaction.atomic():
            build_demo_activities(now=NOW)
            first = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    # The ledger caches its district accounts' ids per process; the rollback removed them.
    from shezhi.core.snapshot import clear_all

    clear_all()
    assert not VolunteerActivity.objects.exists()
    build_demo_activities(now=NOW)
    assert _snapshot() == first
