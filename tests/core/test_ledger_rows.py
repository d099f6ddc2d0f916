"""The rules every ledger shares (core.ledger_rows): rows written once, balanced legs;
both ledgers' rows refuse an edit or a delete through the one base class."""

from __future__ import annotations

import pytest

from shezhi.core.ledger_rows import ImmutableRow, check_balanced
from shezhi.incentives.models import Entry, Transfer
from shezhi.projects.models import MoneyEntry, MoneyTransfer


def test_both_ledgers_rows_are_immutable_rows_with_their_own_message():
    for model in (Transfer, Entry, MoneyTransfer, MoneyEntry):
        assert issubclass(model, ImmutableRow), model
    assert MoneyTransfer.immutable_message.startswith("Money ledger rows")
    assert Transfer.immutable_message.startswith("Ledger rows")


def test_a_row_not_yet_written_saves_and_a_written_one_refuses():
    row = MoneyEntry(transfer_id=1, account_id=1, amount=5)
    row._state.adding = False  # as if read from the database
    with pytest.raises(ValueError, match="Money ledger rows are immutable"):
        row.save()
    with pytest.raises(ValueError, match="immutable"):
        row.delete()
    with pytest.raises(ValueError, match=r"^Ledger rows are immutable"):
        Entry(amount=1).delete()


def test_legs_must_balance_and_money_is_whole():
    check_balanced([5, -5])
    check_balanced([])  # nothing moved: balanced (the money ledger refuses it itself)
    with pytest.raises(ValueError, match="sum to zero"):
        check_balanced([5, -4])
    check_balanced([1.5, -1.5])  # points: any number that balances
    with pytest.raises(TypeError, match="integer fen"):
        check_balanced([1.5, -1.5], whole=True)
    with pytest.raises(TypeError, match="integer fen"):
        check_balanced([True, -1], whole=True)
