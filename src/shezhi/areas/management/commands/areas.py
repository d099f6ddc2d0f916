"""``shezhi areas import|validate|export``: the territory in and out of files."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shezhi.areas import services
from shezhi.areas.files import read_area_file
from shezhi.areas.models import Area
from shezhi.areas.report import Report
from shezhi.core.lists import subtree_q


def print_report(stdout, style, report: Report) -> None:
    for p in report.problems:
        where = f" [{p.where}]" if p.where else ""
        at = f" @ {p.lng:.7f},{p.lat:.7f}" if p.lng is not None and p.lat is not None else ""
        label = style.ERROR("ERROR") if p.severity == "error" else style.WARNING("WARNING")
        stdout.write(f"{label} {p.kind} {p.code or '-'}{where}{at}: {p.message}")
    counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items()))
    stdout.write(
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        + (f"; features: {counts}" if counts else "")
    )


class Command(BaseCommand):
    help = "Import, validate or export area boundaries (GeoJSON or zipped shapefile)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("import", "Validate FILE and write it if there is no error."),
            ("validate", "Report every problem in FILE; write nothing."),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("file", type=Path)
            p.add_argument(
                "--tolerance",
                type=float,
                default=None,
                help="tolerance in metres (default: SHEZHI_AREA_TOLERANCE_M)",
            )
            p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("export", help="Write GeoJSON that imports back identically.")
        p.add_argument("--root", default="", help="only this area's subtree (by code)")
        p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, action, **options):
        if action == "export":
            return self._export(options["root"], options["output"])
        return self._import(
            options["file"],
            validate_only=action == "validate",
            tolerance=options["tolerance"],
            show_progress=not options["no_progress"],
        )

    def _import(self, file: Path, *, validate_only: bool, tolerance, show_progress: bool):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        features, read_report = read_area_file(
            file, max_bytes=settings.SHEZHI_AREA_IMPORT_MAX_BYTES
        )
        bar = tqdm(total=0, unit="check", disable=not show_progress, file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        outcome = services.import_areas(
            features=features,
            report=read_report,
            validate_only=validate_only,
            tolerance_m=tolerance,
            progress=progress,
        )
        bar.close()
        print_report(self.stdout, self.style, outcome.report)
        if outcome.report.has_errors:
            raise CommandError("The file has errors; nothing was written.")
        if outcome.written:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported: {outcome.created} created, {outcome.updated} updated."
                )
            )
        elif validate_only:
            self.stdout.write(self.style.SUCCESS("Valid: no errors (nothing written)."))

    def _export(self, root: str, output: Path | None):
        areas = Area.objects.order_by("code")
        if root:
            top = Area.objects.filter(code=root).first()
            if top is None:
                raise CommandError(f"No area with code {root}.")
            areas = areas.filter(subtree_q("path", top.path))
        text = services.dump_feature_collection(services.export_features(areas=areas.iterator()))
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {text.count(chr(10)) - 1} features to {output}")
        else:
            self.stdout.write(text, ending="")
