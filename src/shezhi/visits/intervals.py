"""How often a household must be visited: the visit interval, in one place.

A household's interval is the shortest among the tags its residents carry (plain tags
only: a sensitive tag may not decide anything that shows on a list), else the default.
Coverage (``stats.coverage``) and the "overdue" mark on the worker's list both read it.

Override in settings: ``SHEZHI_VISIT_INTERVAL_DAYS = {"lives_alone": 7, "very_old": 14,
"default": 90}`` (environment: ``SHEZHI_VISIT_INTERVAL_DAYS=lives_alone:7,very_old:14,default:90``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Tag code → days; "default" for every other household. 独居老人 weekly, 高龄 fortnightly,
# everyone else once a quarter.
DEFAULTS: dict[str, int] = {"lives_alone": 7, "very_old": 14, "default": 90}
DEFAULT = "default"
# The plain tags an interval may be set for (households.tags.PLAIN; sensitive tags never).
ALLOWED_TAGS = (
    "lives_alone",
    "empty_nest",
    "very_old",
    "left_behind_child",
    "veteran",
    "party_member",
    "needs_emergency_help",
)
LABELS = {
    "lives_alone": _("Elderly living alone"),
    "empty_nest": _("Empty-nest elderly"),
    "very_old": _("Very old (80 and over)"),
    "left_behind_child": _("Left-behind child"),
    "veteran": _("Veteran"),
    "party_member": _("Party member"),
    "needs_emergency_help": _("Needs help in an emergency"),
    DEFAULT: _("Other households"),
}


@dataclass(frozen=True)
class Interval:
    key: str  # a tag code, or "default"
    days: int

    @property
    def label(self) -> str:
        return str(LABELS.get(self.key, self.key))


def _configured() -> dict[str, int]:
    raw = getattr(settings, "SHEZHI_VISIT_INTERVAL_DAYS", None) or {}
    if isinstance(raw, str):
        raw = dict(part.split(":", 1) for part in raw.split(",") if ":" in part)
    merged = dict(DEFAULTS)
    for key, days in raw.items():
        key = key.strip()
        if key != DEFAULT and key not in ALLOWED_TAGS:
            raise ValueError(f"SHEZHI_VISIT_INTERVAL_DAYS: {key!r} is not a plain tag")
        merged[key] = int(days)
    return merged


def classes() -> list[Interval]:
    """The tag classes, shortest interval first, the default last. A household belongs to
    the first class one of its residents' tags names."""
    conf = _configured()
    tagged = sorted(
        (Interval(k, d) for k, d in conf.items() if k != DEFAULT), key=lambda i: (i.days, i.key)
    )
    return [*tagged, Interval(DEFAULT, conf[DEFAULT])]


def interval_for(tags) -> Interval:
    """The interval of a household whose residents carry ``tags`` (plain codes)."""
    present = set(tags)
    for cls in classes():
        if cls.key == DEFAULT or cls.key in present:
            return cls
    raise AssertionError("classes() ends in the default")
