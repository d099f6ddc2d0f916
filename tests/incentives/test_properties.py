"""Property tests (hypothesis) of the ledger's invariants under any sequence of operations.

After every operation, whatever it was and whether it was refused:
- all entries sum to zero and every transfer balances;
- each person account's stored balance equals the sum of its entries, and is never negative;
- the entries written before are all still there, unchanged (the ledger only grows);
- a cause paid once is never paid again; a transfer is reversed at most once.
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shezhi.core.errors import EventError
from shezhi.core.snapshot import clear_all
from shezhi.incentives import selectors, services
from shezhi.incentives.models import Entry, Redemption, Reward, RuleKind, Transfer

from .conftest import make_reward

pytestmark = pytest.mark.django_db

KINDS = [RuleKind.EVENT_REGISTERED, RuleKind.VOLUNTEER_HOUR, RuleKind.EMERGENCY_TASK]

award_op = st.tuples(
    st.just("award"),
    st.integers(0, 2),  # person
    st.sampled_from(KINDS),
    st.integers(0, 6),  # cause id: small, so causes repeat
    st.sampled_from([0.5, 1, 2.25, 4]),
)
deduct_op = st.tuples(st.just("deduct"), st.integers(0, 2), st.integers(0, 6))
redeem_op = st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 3))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 20))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 40))
ops = st.lists(st.one_of(award_op, deduct_op, redeem_op, cancel_op, reverse_op), max_size=25)


class Rollback(Exception):
    pass


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=ops)
def test_the_ledger_keeps_its_invariants_under_any_sequence(cast, territory, sequence):
    try:
        with transaction.atomic():
            clear_all()  # cached account ids from a rolled-back example are gone
            run(cast, territory, sequence)
            raise Rollback
    except Rollback:
        pass
    clear_all()


def run(cast, territory, sequence):
    people = [cast.resident, cast.worker, cast.worker2]
    areas = [territory["micro1"], territory["micro1"], territory["micro2"]]
    rewards = [
        make_reward(territory["community"], name="米", cost=7, stock=2),
        make_reward(territory["district"], name="证书", cost=13, stock=None, kind="honour"),
    ]
    paid: dict[str, int] = {}
    seen: dict[int, tuple] = {}
    for op in sequence:
        # A refusal must leave the ledger as it was: checked below.
        with contextlib.suppress(EventError):
            apply(op, people, areas, rewards, cast, paid)
        check = selectors.check_ledger()
        assert check.ok, (op, check)
        now = {e.pk: (e.transfer_id, e.account_id, e.amount) for e in Entry.objects.all()}
        assert all(now.get(pk) == row for pk, row in seen.items()), op
        seen = now
        for person in people:
            total = sum(Transfer.objects.filter(user=person).values_list("points", flat=True))
            assert selectors.balances(person).total == total >= 0
        for reward in Reward.objects.exclude(stock=None):
            live = Redemption.objects.filter(reward=reward, status="redeemed")
            assert reward.stock + sum(r.quantity for r in live) == 2


def apply(op, people, areas, rewards, cast, paid):
    name = op[0]
    if name == "award":
        _n, who, kind, cause, qty = op
        t = services.award_piece(
            kind=kind,
            user=people[who],
            area=areas[who],
            cause_type="activity",
            cause_id=f"{who}-{cause}",
            quantity=qty,
        )
        key = f"{kind}:activity:{who}-{cause}"
        if t is not None:
            assert paid.setdefault(key, t.pk) == t.pk  # exactly once per cause
    elif name == "deduct":
        _n, who, cause = op
        services.award_piece(
            kind=RuleKind.EVENT_REWORKED,
            user=people[who],
            area=areas[who],
            cause_type="event",
            cause_id=f"d{who}-{cause}",
        )
    elif name == "redeem":
        _n, who, which, qty = op
        services.redeem(
            user=people[who], reward=Reward.objects.get(pk=rewards[which].pk), quantity=qty
        )
    elif name == "cancel":
        found = Redemption.objects.order_by("pk")[op[1] : op[1] + 1].first()
        if found is not None:
            services.cancel_redemption(actor=cast.community, redemption=found, reason="退")
    elif name == "reverse":
        found = Transfer.objects.order_by("pk")[op[1] : op[1] + 1].first()
        if found is not None:
            services.reverse_transfer(actor=cast.district, transfer=found, reason="更正")
            assert Transfer.objects.filter(reverses=found).count() == 1
