"""The tags a resident may carry, and which of them are sensitive.

Plain tags say what a worker must know to look after someone (who lives alone, who
needs help in an emergency). Sensitive tags reveal health, welfare or legal status
(PIPL art. 28): they are stored encrypted (``Resident.sensitive_tags``), read only by
the roles ``permissions`` names, and every reading is recorded.

``需要应急帮扶`` (needs emergency help) is deliberately plain: it tells anyone working
the grid that a person needs help in an emergency without saying why.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.TextChoices):
    LIVES_ALONE = "lives_alone", _("Elderly living alone")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly")
    VERY_OLD = "very_old", _("Very old (80 and over)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    VETERAN = "veteran", _("Veteran")
    PARTY_MEMBER = "party_member", _("Party member")
    NEEDS_EMERGENCY_HELP = "needs_emergency_help", _("Needs help in an emergency")
    # Sensitive (PIPL art. 28): health, welfare or legal status.
    DISABILITY = "disability", _("Disability")
    SUBSISTENCE = "subsistence", _("Subsistence allowance or extreme poverty support")
    PREGNANT = "pregnant", _("Pregnant or recently given birth")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    KEY_PERSON = "key_person", _("Key person")
    COMMUNITY_CORRECTION = "community_correction", _("Under community correction")


SENSITIVE = frozenset(
    {
        Tag.DISABILITY,
        Tag.SUBSISTENCE,
        Tag.PREGNANT,
        Tag.CHRONIC_ILLNESS,
        Tag.KEY_PERSON,
        Tag.COMMUNITY_CORRECTION,
    }
)
PLAIN = tuple(t for t in Tag.values if t not in SENSITIVE)
SENSITIVE_TAGS = tuple(t for t in Tag.values if t in SENSITIVE)
LABELS = dict(Tag.choices)
# The stored order (``Tag.values`` builds a new list at every call: half a million rows).
ORDER = tuple(Tag.values)

# How a set of tags is stored: the codes in a fixed order between commas (",a,b,"), so
# "has tag a" is ``tags__contains=",a,"`` on every database.
SEPARATOR = ","


def encode(tags: Iterable[str]) -> str:
    chosen = set(tags)
    if not chosen:
        return ""
    codes = [t for t in ORDER if t in chosen]
    return f"{SEPARATOR}{SEPARATOR.join(codes)}{SEPARATOR}" if codes else ""


def decode(text: str | None) -> list[str]:
    return [t for t in (text or "").split(SEPARATOR) if t in LABELS]


def contains(tag: str) -> str:
    """The text a stored tag set contains when it holds ``tag``."""
    return f"{SEPARATOR}{tag}{SEPARATOR}"


def labels(codes: Iterable[str]) -> list[str]:
    return [str(LABELS[c]) for c in codes if c in LABELS]
