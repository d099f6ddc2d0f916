"""The demo district's territory, written through the same import service as any file."""

from __future__ import annotations

from shezhi.areas import services
from shezhi.areas.models import Area

from .geometry import build_demo_features

DEMO_DISTRICT_CODE = "510113"


def build_demo_areas(*, progress=None) -> services.ImportOutcome | None:
    """Import the demo district unless it is already there; None when it was."""
    if Area.objects.filter(code=DEMO_DISTRICT_CODE).exists():
        return None
    outcome = services.import_areas(features=build_demo_features(), progress=progress)
    if outcome.report.has_errors:
        # The generator and the validator disagree: a bug, never a user error.
        first = outcome.report.errors[0]
        raise RuntimeError(
            f"Demo district failed validation: {first.kind} {first.code}: {first.message}"
        )
    return outcome
