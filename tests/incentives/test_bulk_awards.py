"""The ledger's bulk path (``award_pieces``): the same rows as one ``award_piece`` each."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from shezhi.incentives import selectors, services
from shezhi.incentives.models import Account, Entry, PieceRateRule, RuleKind, Transfer
from shezhi.incentives.services import Piece

from .conftest import award

pytestmark = pytest.mark.django_db


def local(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour))


def ledger() -> dict:
    """The ledger's rows, without ids and creation times (transfers in booking order)."""
    order = {pk: n for n, pk in enumerate(Transfer.objects.order_by("pk").values_list("pk"))}
    fields = ["kind", "user_id", "district_id", "area_id", "area_path", "bucket", "points",
              "earning", "rule", "cause_type", "cause_id", "cause_ref", "cause_key",
              "private_cause", "at", "created_by_id"]  # fmt: skip
    return {
        "transfers": list(Transfer.objects.order_by("pk").values_list(*fields)),
        "entries": sorted(
            (
                order[(e.transfer_id,)],
                e.account.kind,
                e.account.user_id,
                e.account.bucket,
                e.account.district_id,
                e.amount,
                e.balance_after,
            )
            for e in Entry.objects.select_related("account")
        ),
        "accounts": sorted(
            Account.objects.values_list("kind", "user_id", "bucket", "district_id", "balance")
        ),
    }


def both_ways(pieces: list[Piece]) -> tuple[dict, list, dict, list]:
    """The ledger after one ``award_piece`` each (then undone), and after ``award_pieces``."""
    with transaction.atomic():
        one_by_one = [services.award_piece(**vars(p)) for p in pieces]
        singly = ledger()
        transaction.set_rollback(True)
    answers = services.award_pieces(pieces)
    return singly, one_by_one, ledger(), answers


def points(answers) -> list:
    return [None if t is None else t.points for t in answers]


def piece(user, area, cause, kind=RuleKind.VOLUNTEER_HOUR, quantity=1.0, **extra) -> Piece:
    return Piece(kind=kind, user=user, area=area, cause_type="activity", cause_id=cause,
                 cause_ref=f"活动 {cause}", quantity=quantity, **extra)  # fmt: skip


def test_many_awards_give_the_rows_one_award_each_gives(cast, territory):
    micro = territory["micro1"]
    # Booked already: its cause is not paid again, and it counts towards the day's cap.
    first = award(cast.resident, micro, "booked", quantity=3, at=local(3, 8))
    pieces = [
        piece(cast.resident, micro, "booked", at=local(3, 9)),
        piece(cast.resident, micro, "a", quantity=2, at=local(3, 9)),  # 20: 50 of 80
        piece(cast.worker, micro, "b", quantity=5, at=local(3, 10)),
        piece(cast.resident, micro, "c", quantity=4, at=local(3, 11)),  # capped: 30
        piece(cast.resident, micro, "a", quantity=2, at=local(3, 12)),  # twice in the batch
        piece(cast.resident, micro, "d", quantity=1, at=local(3, 20)),  # cap reached
        piece(cast.resident, micro, "e", quantity=1, at=local(4, 0)),  # the next day afresh
        piece(cast.worker, micro, "f", quantity=0.05, at=local(3, 11)),  # rounds to nothing
        piece(
            cast.resident,
            micro,
            "g",
            kind=RuleKind.EMERGENCY_TASK,
            bucket="emergency",
            at=local(3, 13),
            actor=cast.resident,
        ),
    ]
    singly, one_by_one, bulk, answers = both_ways(pieces)
    assert bulk == singly
    assert points(answers) == [30, 20, 50, 30, 20, None, 10, None, 10]
    assert answers[0].pk == first.pk
    # A cause met again answers its first transfer, in a batch and one by one (the
    # day's cap reached by then included); it writes nothing either way.
    assert answers[4] is answers[1]
    assert points(one_by_one) == points(answers)
    assert selectors.check_ledger().ok


def test_a_deduction_never_takes_a_balance_below_zero_in_a_batch(cast, territory):
    micro = territory["micro1"]
    award(cast.worker, micro, "earned", kind=RuleKind.EVENT_REGISTERED, at=local(5, 8))
    pieces = [
        piece(cast.worker, micro, "r1", kind=RuleKind.EVENT_REWORKED, at=local(5, 9)),  # 2 of 3
        piece(cast.worker, micro, "x", kind=RuleKind.EVENT_REGISTERED, at=local(5, 10)),
        piece(cast.worker, micro, "r2", kind=RuleKind.EVENT_REWORKED, at=local(5, 11)),
        piece(cast.worker, micro, "r3", kind=RuleKind.EVENT_REWORKED, at=local(5, 12)),
        # Nobody's account is opened for a deduction of nothing.
        piece(cast.worker2, micro, "r4", kind=RuleKind.EVENT_REWORKED, at=local(5, 12)),
    ]
    singly, one_by_one, bulk, answers = both_ways(pieces)
    assert bulk == singly
    assert points(answers) == points(one_by_one) == [-2, 2, -2, None, None]
    assert not Account.objects.filter(user=cast.worker2).exists()
    assert selectors.check_ledger().ok


def test_a_districts_own_cap_and_a_switched_off_rule_hold_in_a_batch(cast, territory):
    micro = territory["micro1"]
    PieceRateRule.objects.create(
        district=territory["district"], kind=RuleKind.EMERGENCY_TASK, bucket="emergency",
        points=10, daily_cap=25,
    )  # fmt: skip
    PieceRateRule.objects.create(
        district=territory["district"], kind=RuleKind.DEMAND_COLLECTED, bucket="other",
        points=2, active=False,
    )  # fmt: skip
    pieces = [
        piece(cast.worker, micro, str(n), kind=RuleKind.EMERGENCY_TASK, at=local(6, 9 + n))
        for n in range(4)
    ] + [piece(cast.worker, micro, "off", kind=RuleKind.DEMAND_COLLECTED, at=local(6, 9))]
    singly, one_by_one, bulk, answers = both_ways(pieces)
    assert bulk == singly
    assert points(answers) == points(one_by_one) == [10, 10, 5, None, None]


def test_a_private_cause_is_booked_as_award_piece_books_it(cast, territory):
    pieces = [
        Piece(kind=RuleKind.EVENT_REGISTERED, user=cast.resident, area=territory["micro1"],
              cause_type="event", cause_id="41", cause_ref="E-41", at=local(7, 15),
              private=True),
    ]  # fmt: skip
    singly, _one_by_one, bulk, answers = both_ways(pieces)
    assert bulk == singly
    assert answers[0].private_cause and answers[0].cause_ref == ""
    assert services.award_pieces(pieces) == [answers[0]]
    assert Transfer.objects.count() == 1


def test_an_empty_batch_writes_nothing(cast, territory):
    assert services.award_pieces([]) == []
    assert not Transfer.objects.exists()
