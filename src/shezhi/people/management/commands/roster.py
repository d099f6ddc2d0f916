"""``shezhi roster import|template|export``: the workforce in and out of Excel."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shezhi.areas.models import Area
from shezhi.people import roster


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}.")
    return user


class Command(BaseCommand):
    help = "Import a roster (.xlsx), write the empty template, or export an area's roster."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="Check FILE and write it (all rows, or none).")
        p.add_argument("file", type=Path)
        p.add_argument(
            "--as", dest="username", required=True, help="the user importing (scope applies)"
        )
        p.add_argument(
            "--valid-only", action="store_true", help="write the valid rows, report the rest"
        )
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("template", help="Write the empty roster template.")
        p.add_argument("-o", "--output", type=Path, required=True)
        p = sub.add_parser("export", help="Write the roster of the area with code CODE.")
        p.add_argument("code")
        p.add_argument("-o", "--output", type=Path, required=True)
        p.add_argument("--as", dest="username", required=True)

    def handle(self, *args, action, **options):
        if action == "template":
            options["output"].write_bytes(roster.roster_template())
            self.stderr.write(f"Wrote the roster template to {options['output']}")
        elif action == "export":
            self._export(options["code"], options["output"], _user(options["username"]))
        else:
            self._import(
                options["file"],
                _user(options["username"]),
                valid_only=options["valid_only"],
                show_progress=not options["no_progress"],
            )

    def _import(self, file: Path, user, *, valid_only: bool, show_progress: bool) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        # Reading and checking is the first half, writing the second: show percent.
        bar = tqdm(
            total=100,
            disable=not show_progress,
            file=sys.stderr,
            bar_format="{l_bar}{bar}| {elapsed}<{remaining}",
        )

        def progress(done: int, total: int) -> None:
            if total:
                bar.n = min(100, round(100 * done / total))
                bar.refresh()

        try:
            outcome = roster.import_roster(
                actor=user,
                data=file.read_bytes(),
                valid_rows_only=valid_only,
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        for e in outcome.errors:
            where = f"row {e.row}" if e.row else "file"
            column = f" [{e.column}]" if e.column else ""
            value = f" {e.value!r}" if e.value not in ("", None) else ""
            self.stdout.write(f"{self.style.ERROR('ERROR')} {where}{column}{value}: {e.message}")
        self.stdout.write(
            f"{outcome.read.rows} row(s) read, {outcome.rows_rejected} with errors; "
            f"{outcome.people_created} people created, "
            f"{outcome.assignments_created} assignments made."
        )
        if not outcome.written:
            raise CommandError("Nothing was written.")
        if outcome.errors:
            self.stdout.write(self.style.WARNING("Only the valid rows were written."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    def _export(self, code: str, output: Path, user) -> None:
        area = Area.objects.filter(code=code).first()
        if area is None or not roster.can_export(user, area):
            raise CommandError(f"No area {code} whose roster {user.username} may export.")
        output.write_bytes(roster.export_roster(user=user, area=area))
        self.stderr.write(f"Wrote the roster of {area} to {output}")
