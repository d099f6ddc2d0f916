"""The piece rates (计件) in force: a district's own rules over the defaults below.

The defaults follow common practice of grid points schemes: a registered report
earns a little, a case closed on time more, rework costs points. A district
changes any of them on its rules page; the change applies to work done after it
(every transfer keeps the points it was given).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from shezhi.core.snapshot import Snapshot

from .models import Bucket, PieceRateRule, RuleKind


@dataclass(frozen=True)
class Rate:
    kind: str
    bucket: str
    points: int
    daily_cap: int | None
    active: bool = True
    custom: bool = False  # the district's own row, not the default


# kind → (bucket, points, daily cap)
DEFAULTS: dict[str, tuple[str, int, int | None]] = {
    RuleKind.EVENT_REGISTERED: (Bucket.ROUTINE, 2, 20),
    RuleKind.EVENT_CLOSED_ON_TIME: (Bucket.ROUTINE, 5, 50),
    RuleKind.EVENT_REWORKED: (Bucket.ROUTINE, 3, None),
    RuleKind.HOUSEHOLD_VISIT: (Bucket.ROUTINE, 1, 30),
    RuleKind.DEMAND_COLLECTED: (Bucket.OTHER, 2, 20),
    RuleKind.EMERGENCY_TASK: (Bucket.EMERGENCY, 10, None),
    RuleKind.VOLUNTEER_HOUR: (Bucket.OTHER, 10, 80),
}


def _load() -> dict[tuple[int, str], Rate]:
    return {
        (r.district_id, r.kind): Rate(r.kind, r.bucket, r.points, r.daily_cap, r.active, True)
        for r in PieceRateRule.objects.all()
    }


_custom = Snapshot(_load, "incentives.rules")


def clear(*args, **kwargs) -> None:
    _custom.clear()


post_save.connect(clear, sender=PieceRateRule, dispatch_uid="incentives_rules_saved")
post_delete.connect(clear, sender=PieceRateRule, dispatch_uid="incentives_rules_deleted")


def rate(district_id: int, kind: str) -> Rate:
    """The rate a district pays for ``kind`` now."""
    custom = _custom.get().get((district_id, kind))
    if custom is not None:
        return custom
    bucket, points, cap = DEFAULTS[kind]
    return Rate(str(kind), str(bucket), points, cap)


def rates(district_id: int) -> list[Rate]:
    """Every kind of work with the rate the district pays for it, in the table's order."""
    return [rate(district_id, kind) for kind in RuleKind.values]
