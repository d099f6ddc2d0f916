"""What a household visit (入户走访) checks: the checklist, defined once.

Three groups:

- **safety** (安全隐患): each item names the event category a problem found becomes
  (``event_category``, a code of ``events.default_categories``): the visit page's
  "report as an event" button posts to events, which reports it located at the building.
- **needs** (需求): what the household asked for. Each need found is published on
  ``visits.hooks.on_need_found`` for the participation module (demands, issue 16).
- **tag changes** are not checklist items: they are proposals (``TagProposal``) the
  worker applies on the resident's page (see ``visits.models``).

Add an item here (and its msgid in the .po files); nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SAFETY = "safety"
NEEDS = "needs"


@dataclass(frozen=True)
class Item:
    code: str
    group: str
    label: str
    event_category: str = ""  # safety items: the category of the event it becomes


ITEMS: tuple[Item, ...] = (
    Item("gas", SAFETY, _("Gas hazard (old hose, no alarm, leak)"), "1202"),
    Item("ebike", SAFETY, _("E-bike charged indoors or in the corridor"), "1203"),
    Item("structure", SAFETY, _("Unsafe building (cracks, falling parts)"), "1201"),
    Item("stairwell", SAFETY, _("Things piled in the stairwell"), "1403"),
    Item("fire_equipment", SAFETY, _("Fire equipment missing or broken"), "1402"),
    Item("overcrowded", SAFETY, _("Overcrowded rental flat"), "1303"),
    Item("medical", NEEDS, _("Help to see a doctor")),
    Item("daily_care", NEEDS, _("Daily care (meals, cleaning)")),
    Item("hardship", NEEDS, _("Hardship support")),
    Item("employment", NEEDS, _("Help finding work")),
    Item("home_repair", NEEDS, _("Home repair")),
    Item("legal", NEEDS, _("Legal advice")),
    Item("company", NEEDS, _("Company and emotional support")),
)
BY_CODE = {i.code: i for i in ITEMS}
CODES = tuple(BY_CODE)
GROUP_LABELS = {SAFETY: _("Safety hazards"), NEEDS: _("Needs")}


def items_of(group: str) -> list[Item]:
    return [i for i in ITEMS if i.group == group]


def encode(codes) -> str:
    """Stored as ",a,b," in the checklist's order (``contains`` filters by one item)."""
    chosen = set(codes)
    kept = [c for c in CODES if c in chosen]
    return f",{','.join(kept)}," if kept else ""


def decode(text: str | None) -> list[str]:
    return [c for c in (text or "").split(",") if c in BY_CODE]


def contains(code: str) -> str:
    return f",{code},"
