"""``shezhi deliver_notifications``: retry failed deliveries and deliver any never tried.

Idempotent; meant for a timer (every few minutes). A notification is tried at
most three times per channel and never sent twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shezhi.notifications import services


class Command(BaseCommand):
    help = "Deliver notifications not yet delivered (never tried, or failed with tries left)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=48.0,
            help="look back this many hours (default 48): older notifications are left alone",
        )

    def handle(self, *args, hours: float, **options):
        if hours <= 0:
            raise CommandError("--hours must be more than 0")
        counts = services.deliver_pending(since=timezone.now() - dt.timedelta(hours=hours))
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"
        self.stdout.write(summary)
