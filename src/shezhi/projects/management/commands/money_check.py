"""Check the money ledger's invariants; exit 1 when one is broken (for a nightly timer)."""

from django.core.management.base import BaseCommand, CommandError

from shezhi.projects.ledger import check


class Command(BaseCommand):
    help = (
        "Check the money ledger: entries sum to zero, every transfer balances, stored"
        " balances equal their entries and none is negative, no project matched above its"
        " ratio or cap, every refund equals its payment."
    )

    def handle(self, *args, **options):
        result = check()
        for line in result.lines():
            self.stdout.write(line)
        if not result.ok:
            raise CommandError("The money ledger is NOT sound (see above).")
        self.stdout.write(self.style.SUCCESS("The money ledger is sound."))
