"""``shezhi sla_scan``: remind before deadlines, notice and escalate overdue events, once each.

Meant for a timer (every minute or so). Idempotent and safe to run twice at
once: every notice is recorded once per event and deadline (see
``shezhi.events.sla``). ``--now`` runs it as of another time (catching up, or
testing); ``--dry-run`` counts what it would do and writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shezhi.events import sla


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
    help = (
        "Send deadline reminders and overdue notices, escalate overdue events whose category "
        "says so, and notice late report-ins: each once per deadline."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="scan as of this ISO date and time (local time unless it names an offset); "
            "default: now",
        )
        parser.add_argument(
            "--max-escalations",
            type=int,
            default=sla.MAX_ESCALATIONS,
            help=f"escalate at most this many events in this run, oldest deadline first "
            f"(default {sla.MAX_ESCALATIONS}; 0: no limit); the rest wait for the next run",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would be sent and escalated; write nothing",
        )

    def handle(
        self,
        *args,
        now: str | None = None,
        dry_run: bool = False,
        max_escalations: int = sla.MAX_ESCALATIONS,
        **options,
    ):
        moment = None if now is None else _moment(now)
        if max_escalations < 0:
            raise CommandError("--max-escalations cannot be negative (0: no limit)")
        result = sla.scan(now=moment, dry_run=dry_run, max_escalations=max_escalations or None)
        self.stdout.write(result.summary())
        if result.failed:
            raise CommandError(
                f"{result.failed} escalation(s) failed with an error; see the log "
                "(they are tried again next run)"
            )
