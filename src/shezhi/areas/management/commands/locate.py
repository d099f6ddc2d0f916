"""``shezhi locate LNG LAT [--crs wgs84|gcj02|bd09]``: the areas containing a point."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shezhi.areas import locating


class Command(BaseCommand):
    help = "Print the chain of areas containing a point, deepest first."

    def add_arguments(self, parser):
        parser.add_argument("lng", type=float)
        parser.add_argument("lat", type=float)
        parser.add_argument("--crs", choices=locating.CRS_CHOICES, default="wgs84")

    def handle(self, *args, lng, lat, crs, **options):
        try:
            (wlng, wlat), chain = locating.locate(lng, lat, crs)
        except (locating.InvalidCoordinates, locating.OutsideAllDistricts) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"WGS84 {wlng:.7f},{wlat:.7f}")
        for area in chain:
            kind = f" [{area.kind}{'/' + area.dedicated_type if area.dedicated_type else ''}]"
            self.stdout.write(f"{area.code}\t{area.level}\t{area.name}{kind if area.kind else ''}")
