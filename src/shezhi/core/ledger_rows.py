"""What every double-entry ledger here shares (the points ledger, the money ledger):
rows written once, and transfers whose legs balance.

Each ledger keeps its own tables and accounts; these are the two rules they hold in
common, so the rule is written once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class ImmutableRow(models.Model):
    """A row written once: the ledger's history is never edited, a mistake is reversed."""

    # Says which ledger refused (each subclass may name its own).
    immutable_message = "Ledger rows are immutable: reverse the transfer instead."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(self.immutable_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(self.immutable_message)


def check_balanced(amounts: Iterable[int], *, whole: bool = False) -> None:
    """A transfer's leg amounts sum to zero (``ValueError``); with ``whole``, each is a
    plain int, never a bool or a float (``TypeError``)."""
    amounts = list(amounts)
    if sum(amounts) != 0:
        raise ValueError("a transfer's legs must sum to zero")
    if whole and any(not isinstance(a, int) or isinstance(a, bool) for a in amounts):
        raise TypeError("money is integer fen")
