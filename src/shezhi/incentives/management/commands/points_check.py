"""Check the points ledger's invariants; exit 1 when one is broken (for a nightly timer)."""

from django.core.management.base import BaseCommand, CommandError

from shezhi.incentives.selectors import check_ledger


class Command(BaseCommand):
    help = (
        "Check the points ledger: all entries sum to zero, every transfer balances, every"
        " person's stored balance equals the sum of their entries and none is negative."
    )

    def handle(self, *args, **options):
        check = check_ledger()
        self.stdout.write(
            f"entries sum: {check.entries_sum}; unbalanced transfers: "
            f"{check.unbalanced_transfers}; balances differing from their entries: "
            f"{check.drifted_accounts}; negative balances: {check.negative_accounts}"
        )
        if not check.ok:
            raise CommandError("The points ledger is NOT sound (see above).")
        self.stdout.write(self.style.SUCCESS("The points ledger is sound."))
