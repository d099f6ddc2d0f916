"""``shezhi stats_sync``: bring the KPI facts up to date now (the worker does it on its own).

The task worker recomputes the facts of changed events within seconds; this
command does the same at once, for a timer as a safety net or after a
restore. ``--rebuild`` forgets every fact and daily sum and computes them
again from the events' histories (after changing a KPI rule, say).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shezhi.stats import services


class Command(BaseCommand):
    help = "Recompute the KPI facts of changed events (--rebuild: of all events)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every event")
        parser.add_argument("--batch", type=int, default=services.BATCH)

    def handle(self, *args, rebuild=False, batch=services.BATCH, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        result = (services.rebuild_facts if rebuild else services.sync_facts)(batch=batch)
        self.stdout.write(
            f"{'rebuilt' if rebuild else 'synced'} the facts of {result.events} events"
            f" ({result.changed} day sums moved) in {result.seconds:.2f} s"
        )
