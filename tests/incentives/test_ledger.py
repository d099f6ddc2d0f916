"""The points ledger's services: awards exactly once, caps, deductions, redemption, reversal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.core.errors import BadInput, Forbidden, NotAllowed
from shezhi.incentives import rules, selectors, services
from shezhi.incentives.models import (
    Account,
    Entry,
    PieceRateRule,
    Redemption,
    Reward,
    RuleKind,
    Transfer,
)

from .conftest import award, make_reward

pytestmark = pytest.mark.django_db


def local(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour))


def assert_ledger_sound():
    check = selectors.check_ledger()
    assert check.ok, check


def test_an_award_is_a_balanced_transfer_citing_its_cause(cast, territory):
    t = award(cast.resident, territory["micro1"], "7", quantity=2.5, at=local(2))
    assert (t.kind, t.points, t.bucket, t.rule) == ("award", 25, "other", "volunteer_hour")
    assert (t.cause_type, t.cause_id, t.cause_ref) == ("activity", "7", "活动 7")
    assert t.area_path == territory["micro1"].path
    assert t.district_id == territory["district"].pk
    legs = sorted(t.entries.values_list("account__kind", "amount"))
    assert legs == [("issuing", -25), ("person", 25)]
    assert selectors.balances(cast.resident).as_dict() == {
        "routine": 0,
        "emergency": 0,
        "other": 25,
        "total": 25,
    }
    assert_ledger_sound()


def test_the_same_cause_is_paid_once_even_when_the_service_runs_twice(cast, territory):
    first = award(cast.resident, territory["micro1"], "8", at=local(2))
    again = award(cast.resident, territory["micro1"], "8", at=local(2, 11))
    assert again.pk == first.pk
    assert Transfer.objects.count() == 1
    assert Entry.objects.count() == 2
    assert selectors.balances(cast.resident).total == 10


def test_the_daily_cap_limits_one_rule_per_person_per_local_day(cast, territory):
    # volunteer_hour: 10 points an hour, at most 80 a day (rules.DEFAULTS).
    assert award(cast.resident, territory["micro1"], "a", quantity=5, at=local(3, 9)).points == 50
    assert award(cast.resident, territory["micro1"], "b", quantity=5, at=local(3, 14)).points == 30
    assert award(cast.resident, territory["micro1"], "c", quantity=1, at=local(3, 20)) is None
    # The next local day starts afresh; another person is not affected.
    assert award(cast.resident, territory["micro1"], "d", quantity=1, at=local(4, 0)).points == 10
    assert award(cast.worker, territory["micro1"], "e", quantity=5, at=local(3, 20)).points == 50
    assert selectors.balances(cast.resident).total == 90


def test_a_cause_paid_before_the_cap_was_reached_answers_its_first_transfer(cast, territory):
    first = award(cast.resident, territory["micro1"], "p", quantity=5, at=local(6, 9))  # 50
    award(cast.resident, territory["micro1"], "q", quantity=5, at=local(6, 10))  # 30: the cap
    again = award(cast.resident, territory["micro1"], "p", quantity=5, at=local(6, 11))
    assert again is not None and again.pk == first.pk
    assert Transfer.objects.filter(user=cast.resident).count() == 2
    assert selectors.balances(cast.resident).total == 80


def test_a_districts_own_rule_replaces_the_default_and_never_rewrites_the_past(cast, territory):
    before = award(cast.resident, territory["micro1"], "old", at=local(5))
    rule = PieceRateRule.objects.create(
        district=territory["district"], kind=RuleKind.VOLUNTEER_HOUR, bucket="routine", points=3
    )
    after = award(cast.resident, territory["micro1"], "new", at=local(5))
    assert (after.points, after.bucket) == (3, "routine")
    before.refresh_from_db()
    assert (before.points, before.bucket) == (10, "other")
    rule.active = False
    rule.save()
    assert award(cast.resident, territory["micro1"], "off", at=local(5)) is None
    # The other district still pays the default.
    other = award(cast.outsider_resident, territory["other_district"], "x", at=local(5))
    assert other.points == rules.DEFAULTS[RuleKind.VOLUNTEER_HOUR][1]


def test_a_deduction_takes_no_more_than_the_bucket_holds(cast, territory):
    from shezhi.incentives.services import award_piece

    def rework(n):
        return award_piece(
            kind=RuleKind.EVENT_REWORKED,
            user=cast.worker,
            area=territory["micro1"],
            cause_type="event",
            cause_id=f"1:{n}",
            at=local(6),
        )

    award_piece(
        kind=RuleKind.EVENT_REGISTERED,
        user=cast.worker,
        area=territory["micro1"],
        cause_type="event",
        cause_id="1",
        at=local(6),
    )  # +2 routine
    first = rework(1)
    assert (first.kind, first.points) == ("deduction", -2)
    assert rework(2) is None  # nothing left to take
    assert selectors.balances(cast.worker).routine == 0
    assert_ledger_sound()


def test_redeeming_spends_routine_then_other_then_emergency_and_takes_stock(cast, territory):
    award(cast.resident, territory["micro1"], "r", kind="event_registered", at=local(7))  # 2
    award(cast.resident, territory["micro1"], "o", quantity=3, at=local(7))  # 30 other
    award(cast.resident, territory["micro1"], "e", kind="emergency_task", at=local(7))  # 10
    reward = make_reward(territory["community"], cost=20, stock=3)
    redemption = services.redeem(user=cast.resident, reward=reward, quantity=2, at=local(8))
    assert (redemption.points, redemption.status) == (40, "redeemed")
    legs = dict(
        redemption.transfer.entries.filter(account__kind="person").values_list(
            "account__bucket", "amount"
        )
    )
    assert legs == {"routine": -2, "other": -30, "emergency": -8}
    assert selectors.balances(cast.resident).as_dict() == {
        "routine": 0,
        "emergency": 2,
        "other": 0,
        "total": 2,
    }
    reward.refresh_from_db()
    assert reward.stock == 1
    assert redemption.transfer.cause_id == str(redemption.pk)
    assert_ledger_sound()


def test_redeeming_without_enough_points_or_stock_writes_nothing(cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=3, at=local(9))  # 30
    reward = make_reward(territory["community"], cost=20, stock=2)
    with pytest.raises(NotAllowed, match="40"):
        services.redeem(user=cast.resident, reward=reward, quantity=2)
    reward.refresh_from_db()
    assert reward.stock == 2  # the stock taken first was given back with the rollback
    services.redeem(user=cast.resident, reward=reward)
    with pytest.raises(NotAllowed, match="仅剩 1 件"):
        services.redeem(user=cast.resident, reward=reward, quantity=2)
    with pytest.raises(BadInput):
        services.redeem(user=cast.resident, reward=reward, quantity=0)
    with pytest.raises(BadInput):
        services.redeem(user=cast.resident, reward=reward, quantity="two")
    assert Redemption.objects.count() == 1
    assert Transfer.objects.filter(kind="redemption").count() == 1
    reward.refresh_from_db()
    assert reward.stock == 1
    assert selectors.balances(cast.resident).total == 10
    assert_ledger_sound()


def test_an_unlimited_reward_and_a_withdrawn_one(cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=8, at=local(9))  # 80
    honour = make_reward(
        territory["community"], name="优秀志愿者", cost=50, stock=None, kind="honour"
    )
    services.redeem(user=cast.resident, reward=honour)
    honour.refresh_from_db()
    assert honour.stock is None
    Reward.objects.filter(pk=honour.pk).update(active=False)
    with pytest.raises(NotAllowed, match="已下架"):
        services.redeem(user=cast.resident, reward=honour)


def test_cancelling_a_redemption_reverses_it_and_returns_the_stock(cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=5, at=local(9))
    reward = make_reward(territory["community"], cost=20, stock=2)
    redemption = services.redeem(user=cast.resident, reward=reward)
    with pytest.raises(Forbidden):
        services.cancel_redemption(actor=cast.worker2, redemption=redemption, reason="x")
    done = services.cancel_redemption(actor=cast.resident, redemption=redemption, reason="")
    assert done.status == "cancelled"
    reversal = redemption.transfer.reversal
    assert (reversal.kind, reversal.points, reversal.reverses_id) == (
        "reversal",
        20,
        redemption.transfer.pk,
    )
    reward.refresh_from_db()
    assert reward.stock == 2
    assert selectors.balances(cast.resident).total == 50
    with pytest.raises(NotAllowed):
        services.cancel_redemption(actor=cast.community, redemption=done, reason="again")
    assert_ledger_sound()


def test_staff_hand_over_a_reward_in_their_scope_only(cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=5, at=local(9))
    redemption = services.redeem(user=cast.resident, reward=make_reward(territory["community"]))
    with pytest.raises(Forbidden):
        services.hand_over(actor=cast.other_district, redemption=redemption)
    done = services.hand_over(actor=cast.community, redemption=redemption)
    assert (done.status, done.handed_over_by) == ("handed_over", cast.community)
    with pytest.raises(NotAllowed):
        services.cancel_redemption(actor=cast.community, redemption=done, reason="late")


def test_staff_reverse_a_mistaken_award_once_with_a_reason(cast, territory):
    t = award(cast.resident, territory["micro1"], "1", quantity=2, at=local(10))
    with pytest.raises(BadInput):
        services.reverse_transfer(actor=cast.community, transfer=t, reason=" ")
    with pytest.raises(Forbidden):
        services.reverse_transfer(actor=cast.other_district, transfer=t, reason="wrong")
    with pytest.raises(Forbidden):
        services.reverse_transfer(actor=cast.worker, transfer=t, reason="wrong")
    r = services.reverse_transfer(actor=cast.community, transfer=t, reason="签到有误")
    assert (r.points, r.earning, r.memo, r.created_by) == (-20, True, "签到有误", cast.community)
    with pytest.raises(NotAllowed, match="已冲正"):
        services.reverse_transfer(actor=cast.community, transfer=t, reason="again")
    assert selectors.balances(cast.resident).total == 0
    assert_ledger_sound()


def test_an_award_already_spent_cannot_be_reversed(cast, territory):
    t = award(cast.resident, territory["micro1"], "1", quantity=2, at=local(10))
    services.redeem(user=cast.resident, reward=make_reward(territory["community"], cost=15))
    with pytest.raises(NotAllowed, match="5"):
        services.reverse_transfer(actor=cast.community, transfer=t, reason="wrong")
    assert not Transfer.objects.filter(kind="reversal").exists()
    assert_ledger_sound()


def test_ledger_rows_are_never_edited_or_deleted(cast, territory):
    t = award(cast.resident, territory["micro1"], "1", at=local(11))
    t.points = 1000
    with pytest.raises(ValueError, match="immutable"):
        t.save()
    with pytest.raises(ValueError, match="immutable"):
        t.delete()
    entry = t.entries.first()
    with pytest.raises(ValueError, match="immutable"):
        entry.save()


def test_the_database_refuses_a_negative_balance_and_a_second_transfer_per_cause(cast, territory):
    award(cast.resident, territory["micro1"], "1", at=local(11))
    account = Account.objects.get(user=cast.resident, bucket="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        services._write(
            Transfer(
                kind="award",
                user=cast.resident,
                district=territory["district"],
                area=territory["micro1"],
                bucket="other",
                points=1,
                cause_type="activity",
                cause_id="1",
                cause_key="volunteer_hour:activity:1",
                at=local(11),
            ),
            [
                (account.pk, 1, None),
                (services.system_account(territory["district"].pk, "issuing", "other"), -1, None),
            ],
        )


def test_a_transfer_must_balance(cast, territory):
    with pytest.raises(ValueError, match="sum to zero"):
        services._write(Transfer(), [(1, 5, None), (2, -4, None)])


def test_statement_lists_each_cause_with_a_running_balance(cast, territory):
    award(cast.resident, territory["micro1"], "1", at=local(1))  # 10, before the period
    award(cast.resident, territory["micro1"], "2", quantity=2, at=local(12))  # 20
    reward = make_reward(territory["community"], cost=25)
    services.redeem(user=cast.resident, reward=reward, at=local(13))
    s = selectors.statement(cast.resident, start=local(10).date(), end=local(20).date())
    assert s.opening == 10
    assert [(line.transfer.kind, line.transfer.points, line.balance) for line in s.lines] == [
        ("award", 20, 30),
        ("redemption", -25, 5),
    ]
    assert s.closing == s.balances.total == 5


def test_leaderboard_counts_earnings_net_of_reversals_not_spending(cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=3, at=local(14))  # 30
    award(cast.worker, territory["micro1"], "2", quantity=2, at=local(14))  # 20
    t = award(cast.worker2, territory["micro2"], "3", quantity=4, at=local(14))  # 40
    services.reverse_transfer(actor=cast.community, transfer=t, reason="错误", at=local(15))
    services.redeem(user=cast.resident, reward=make_reward(territory["community"], cost=25))
    board = selectors.leaderboard(
        territory["community"], start=local(1).date(), end=local(30).date()
    )
    assert [(r.rank, r.user_id, r.points) for r in board] == [
        (1, cast.resident.pk, 30),
        (2, cast.worker.pk, 20),
    ]
    # By bucket and by area: micro2 has nothing left after the reversal.
    assert (
        selectors.leaderboard(territory["micro2"], start=local(1).date(), end=local(30).date())
        == []
    )
    assert (
        selectors.leaderboard(
            territory["community"], start=local(1).date(), end=local(30).date(), bucket="routine"
        )
        == []
    )
    # Outside the period.
    assert (
        selectors.leaderboard(territory["community"], start=local(16).date(), end=local(30).date())
        == []
    )


def test_rewards_reach_the_areas_below_them_only(cast, territory):
    mine = make_reward(territory["community"])
    district_wide = make_reward(territory["district"], name="荣誉证书", stock=None)
    elsewhere = make_reward(territory["other_district"], name="别处")
    other_micro = make_reward(territory["micro2"], name="隔壁")
    visible = set(selectors.rewards_for(cast.resident))
    assert visible == {mine, district_wide}
    assert elsewhere not in set(selectors.rewards_for(cast.resident))
    assert other_micro not in visible
    assert set(selectors.managed_rewards(cast.community)) == {mine, other_micro}
    assert set(selectors.managed_rewards(cast.other_district)) == {elsewhere}


def test_a_redemption_of_the_last_item_and_ledger_check_detects_drift(cast, territory):
    award(cast.resident, territory["micro1"], "1", at=local(11))
    Account.objects.filter(user=cast.resident).update(balance=7)
    check = selectors.check_ledger()
    assert (check.drifted_accounts, check.ok) == (1, False)


def test_today_helper_for_cap_uses_local_days():
    start, end = services._day_bounds(local(3, 23))
    assert (start.hour, end - start) == (0, timedelta(days=1))


def test_points_check_command_passes_a_sound_ledger_and_fails_a_drifted_one(cast, territory):
    from io import StringIO

    from django.core.management import CommandError, call_command

    award(cast.resident, territory["micro1"], "1", at=local(11))
    out = StringIO()
    call_command("points_check", stdout=out)
    assert "entries sum: 0" in out.getvalue()
    Account.objects.filter(user=cast.resident).update(balance=3)
    with pytest.raises(CommandError, match="NOT sound"):
        call_command("points_check", stdout=StringIO())


def test_an_account_opened_in_a_rolled_back_transaction_is_not_remembered(cast, territory):
    with pytest.raises(RuntimeError), transaction.atomic():
        award(cast.resident, territory["micro1"], "1", at=local(11))  # opens the accounts
        services.system_account(territory["district"].pk, "redemption")
        raise RuntimeError("the caller's work failed")
    assert not Account.objects.exists()
    # The next award opens them again instead of citing the rolled-back ids.
    t = award(cast.resident, territory["micro1"], "1", at=local(11))
    issuing = t.entries.get(account__kind="issuing").account
    assert issuing.district_id == territory["district"].pk
    assert_ledger_sound()


def test_a_correction_made_another_day_does_not_move_that_days_cap(cast, territory):
    first = award(cast.resident, territory["micro1"], "a", quantity=8, at=local(3, 9))  # 80: cap
    services.reverse_transfer(actor=cast.community, transfer=first, reason="重复", at=local(4, 9))
    # 4 November: the reversal is no award of that day, so the full cap is still there.
    assert award(cast.resident, territory["micro1"], "b", quantity=8, at=local(4, 10)).points == 80
    # 3 November: its award still counts against that day's cap.
    assert award(cast.resident, territory["micro1"], "c", quantity=1, at=local(3, 20)) is None
