"""A visit pays the ``household_visit`` piece rate once, under its daily cap, into the
emergency bucket in emergency mode; a visit refused pays nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shezhi.core.errors import BadInput
from shezhi.incentives.models import PieceRateRule, Transfer
from shezhi.visits import services
from tests.factories import EmergencyPeriodFactory

from .conftest import visit

pytestmark = pytest.mark.django_db


def _awards(user):
    return Transfer.objects.filter(user=user, rule="household_visit", kind="award")


def test_each_visit_pays_once(place, shared_cast):
    worker = shared_cast.mg_worker
    v = visit(worker, place.h101)
    (award,) = _awards(worker)
    assert (award.points, award.bucket, award.cause_type) == (1, "routine", "household_visit")
    assert award.cause_id == str(v.pk) and "101" not in award.cause_ref  # no address
    # The same submission again (same key): no second visit, no second award.
    services.record_visit(actor=worker, household=place.h101, outcome="nobody_home",
                          idempotency_key="same")  # fmt: skip
    services.record_visit(actor=worker, household=place.h101, outcome="nobody_home",
                          idempotency_key="same")  # fmt: skip
    assert _awards(worker).count() == 2


def test_the_daily_cap_holds(place, territory, shared_cast):
    worker = shared_cast.mg_worker
    PieceRateRule.objects.create(
        district=territory["district"], kind="household_visit", bucket="routine", points=2,
        daily_cap=5,
    )  # fmt: skip
    for _ in range(4):
        visit(worker, place.h101)
    paid = [t.points for t in _awards(worker).order_by("pk")]
    assert paid == [2, 2, 1]  # 5 points, then nothing more that day
    assert sum(paid) == 5


def test_emergency_mode_pays_the_emergency_bucket(place, territory, shared_cast):
    EmergencyPeriodFactory(area=territory["street1"], started_at=timezone.now())
    visit(shared_cast.mg_worker, place.h101)
    assert _awards(shared_cast.mg_worker).get().bucket == "emergency"


def test_a_refused_visit_pays_nothing(place, shared_cast):
    with pytest.raises(BadInput):
        services.record_visit(actor=shared_cast.mg_worker, household=place.h101, outcome="met")
    assert not _awards(shared_cast.mg_worker).exists()


def test_points_roll_back_with_a_failing_listener(place, shared_cast):
    from shezhi.visits import hooks
    from shezhi.visits.models import Visit

    def boom(done):
        raise RuntimeError("listener failed")

    hooks.on_visit_recorded(boom)
    try:
        with pytest.raises(RuntimeError):
            visit(shared_cast.mg_worker, place.h101)
    finally:
        hooks._recorded.remove(boom)
    assert not Visit.objects.exists() and not _awards(shared_cast.mg_worker).exists()
