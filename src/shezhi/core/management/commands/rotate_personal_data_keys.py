"""``shezhi rotate_personal_data_keys``: re-encrypt stored personal data under the newest key.

Put the new key first in SHEZHI_PERSONAL_DATA_KEYS (keep the old ones after it),
restart, run this, and only then drop the old keys. Safe to run again: values
already under the newest key are left as they are.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shezhi.core import personal_data


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data value under the newest key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="rows per transaction (default 500)"
        )

    def handle(self, *args, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        fields = list(personal_data.encrypted_fields())
        if not fields:
            self.stdout.write("No encrypted fields.")
            return
        total = personal_data.RotationCount()
        for model, field in fields:
            try:
                count = personal_data.rotate_field(model, field, batch_size=batch_size)
            except personal_data.PersonalDataDecryptionError as exc:
                raise CommandError(str(exc)) from None
            total.rotated += count.rotated
            total.current += count.current
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {count.rotated} re-encrypted, "
                f"{count.current} already under the newest key."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{total.rotated} value(s) re-encrypted, {total.current} already current, "
                f"in {len(fields)} field(s)."
            )
        )
