"""The money ledger: immutable rows, balanced transfers, constant-time balances, and
``shezhi money_check`` passing on a sound ledger and exiting 1 on each broken rule."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.utils import timezone

from shezhi.projects import ledger, services
from shezhi.projects.models import MoneyAccount, MoneyEntry, MoneyTransfer, Payment, Project

pytestmark = pytest.mark.django_db


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_rows_are_immutable(world):
    transfer = MoneyTransfer.objects.first()
    entry = MoneyEntry.objects.first()
    transfer.memo = "edited"
    with pytest.raises(ValueError, match="immutable"):
        transfer.save()
    with pytest.raises(ValueError, match="immutable"):
        transfer.delete()
    with pytest.raises(ValueError, match="immutable"):
        entry.save()
    with pytest.raises(ValueError, match="immutable"):
        entry.delete()


def test_a_transfer_must_balance_and_be_integer_fen(world):
    a = world.fund.account_id
    b = ledger.boundary_account(world.territory["district"].pk, MoneyAccount.Kind.ALLOCATIONS_IN)
    common = {
        "kind": "allocation",
        "holding": {a},
        "cause_type": "t",
        "cause_id": "1",
        "at": timezone.now(),
    }
    with pytest.raises(ValueError, match="sum to zero"):
        ledger.transfer(legs=[(a, 100), (b, -99)], **common)
    with pytest.raises(TypeError, match="integer fen"):
        ledger.transfer(legs=[(a, 1.5), (b, -1.5)], **common)


def test_the_database_refuses_a_negative_holding(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyAccount.objects.filter(pk=world.fund.account_id).update(balance=-1)


def test_balances_are_stored_and_equal_the_entries(world):
    project = world.funding()
    world.pay(project, 10_000)
    world.pay(project, 2_345)
    project.refresh_from_db()
    assert (
        ledger.balance(project.account_id)
        == ledger.entries_sum(project.account_id)
        == 12_345 + 6_172
    )
    assert ledger.balance(world.fund.account_id) == ledger.entries_sum(world.fund.account_id)
    assert ledger.check().ok


def test_reversal_cites_the_original_once(world):
    project = world.funding()
    payment = world.pay(project, 1_000)
    services.reverse_payment(actor=world.staff, payment=payment, reason="记错了")
    payment.refresh_from_db()
    reversal = MoneyTransfer.objects.get(reverses=payment.transfer)
    assert reversal.kind == "reversal" and reversal.stream == "payment"
    assert ledger.check().ok
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.reverse(payment.transfer, at=timezone.now())


def test_money_check_passes_on_a_sound_ledger(world, capsys):
    project = world.funding()
    world.pay(project, 5_000)
    call_command("money_check")
    assert "The money ledger is sound." in capsys.readouterr().out


def _broken(statement, params, expect):
    _sql(statement, params)
    with pytest.raises(CommandError):
        call_command("money_check")
    result = ledger.check()
    assert not result.ok
    assert getattr(result, expect), result


@pytest.mark.parametrize(
    "breakage",
    ["drift", "unbalanced", "counter", "match_above_ratio", "refund_unequal", "negative"],
)
def test_money_check_exits_1_on_each_broken_invariant(world, breakage):
    project = world.funding()
    payment = world.pay(project, 4_000)
    project.refresh_from_db()
    accounts = MoneyAccount._meta.db_table
    entries = MoneyEntry._meta.db_table
    projects = Project._meta.db_table
    if breakage == "drift":
        _broken(
            f"UPDATE {accounts} SET balance = balance + 1 WHERE id = %s",  # noqa: S608
            [project.account_id],
            "drifted_accounts",
        )
    elif breakage == "unbalanced":
        _broken(
            f"UPDATE {entries} SET amount = amount + 1 WHERE transfer_id = %s AND amount > 0",  # noqa: S608
            [payment.transfer_id],
            "unbalanced_transfers",
        )
    elif breakage == "counter":
        _broken(
            f"UPDATE {projects} SET paid_in = paid_in + 1 WHERE id = %s",  # noqa: S608
            [project.pk],
            "counters_drifted",
        )
    elif breakage == "match_above_ratio":
        _broken(
            f"UPDATE {projects} SET match_ratio_bp = 1000 WHERE id = %s",  # noqa: S608
            [project.pk],
            "match_above_ratio",
        )
    elif breakage == "negative":
        # A balance and its entries both below zero (the column's CHECK bypassed by
        # writing the entries only): caught as negative and drifted.
        _broken(
            f"INSERT INTO {entries} (transfer_id, account_id, amount) VALUES (%s, %s, %s)",  # noqa: S608
            [payment.transfer_id, world.fund.account_id, -10_000_000],
            "negative_accounts",
        )
    else:
        services.refund_payment(actor=world.staff, payment=payment, reason="居民退出")
        refund = MoneyTransfer.objects.get(kind="refund")
        _broken(
            f"UPDATE {MoneyTransfer._meta.db_table} SET amount = amount - 1 WHERE id = %s",  # noqa: S608
            [refund.pk],
            "refunds_unequal",
        )


def test_money_check_flags_an_expired_project_still_holding_a_paid_payment(world):
    project = world.funding()
    payment = world.pay(project, 4_000)
    services.expire_due(now=project.deadline + timezone.timedelta(seconds=1))
    assert ledger.check().ok
    Payment.objects.filter(pk=payment.pk).update(status="paid")
    assert project.pk in ledger.check().refunds_unequal
