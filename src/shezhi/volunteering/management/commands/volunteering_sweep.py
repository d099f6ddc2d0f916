"""``shezhi volunteering_sweep``: check out, at the end, everyone still checked in once an
activity has ended, and award their hours (once each).

Meant for a timer (every few minutes). Idempotent and safe to run twice at once.
``--now`` runs it as of another time (catching up, or testing).
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shezhi.volunteering import services


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not an ISO date and time, like 2026-03-02T16:00"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # in settings.TIME_ZONE
    return moment


class Command(BaseCommand):
    help = "Check out everyone still checked in to an activity that has ended, and award hours."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="sweep as of this ISO date and time (local time unless it names an offset)",
        )

    def handle(self, *args, now=None, **options):
        moment = _moment(now) if now else timezone.now()
        done = services.sweep_finished(now=moment)
        self.stdout.write(f"checked out {done} volunteer(s)")
