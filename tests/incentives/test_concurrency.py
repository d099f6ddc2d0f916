"""100 parallel awards and redemptions against one person's account (PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from shezhi.core.errors import NotAllowed
from shezhi.incentives import selectors, services
from shezhi.incentives.models import PieceRateRule, Redemption, Reward, Transfer

from .conftest import award, make_reward

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_awards_and_redemptions_end_with_the_exact_balance(cast, territory):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers (BEGIN IMMEDIATE) and the in-memory test database is "
            "shared across threads; PostgreSQL (DATABASE_URL) runs this"
        )
    person, area = cast.resident, territory["micro1"]
    # No daily cap here (the cap under concurrency is the next test's).
    PieceRateRule.objects.create(
        district=territory["district"], kind="volunteer_hour", bucket="other", points=10
    )
    award(person, area, "seed", quantity=3)  # 30 points to start with
    reward = make_reward(territory["community"], cost=15, stock=25)
    # 60 awards of 10 points (every third one a repeat of an earlier cause, paid once)
    # and 40 redemptions of 15 points, all started at the same moment.
    operations = [("award", f"c{i - i % 3}") for i in range(60)] + [("redeem", None)] * 40
    operations.sort(key=lambda op: hash(op[1]) % 7)  # interleave them
    barrier = threading.Barrier(16)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(op):
        try:
            if op[0] == "award":
                t = award(person, area, op[1])
                outcomes.append("award" if t is not None else "none")
            else:
                try:
                    services.redeem(user=person, reward=Reward.objects.get(pk=reward.pk))
                    outcomes.append("redeemed")
                except NotAllowed:
                    outcomes.append("refused")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def start(op):
        if len(outcomes) < 16:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
        run(op)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(start, operations))
    assert errors == []
    awards = Transfer.objects.filter(kind="award").count() - 1  # without the seed
    redeemed = Redemption.objects.count()
    assert awards == 20  # 20 distinct causes, each paid exactly once
    assert outcomes.count("redeemed") == redeemed
    assert outcomes.count("redeemed") + outcomes.count("refused") == 40
    expected = 30 + 10 * awards - 15 * redeemed
    assert selectors.balances(person).total == expected >= 0
    reward.refresh_from_db()
    assert reward.stock == 25 - redeemed
    check = selectors.check_ledger()
    assert check.ok, check
    # The 30 points held at the start pay for two whatever the order; 230 for 15 at most.
    assert 2 <= redeemed <= 15


def test_the_daily_cap_holds_under_parallel_awards(cast, territory):
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL (DATABASE_URL) runs this; see above")
    person, area = cast.resident, territory["micro1"]
    errors: list[BaseException] = []

    def run(i):
        try:
            award(person, area, f"cap{i}")  # 10 points each, 80 a day at most
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(run, range(24)))
    assert errors == []
    assert selectors.balances(person).total == 80
    assert Transfer.objects.filter(user=person).count() == 8
