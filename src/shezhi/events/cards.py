"""A work list's event card (inbox, queue, department page), drawn in Python.

``events/_event_card.html`` is the card's markup; ``card_html`` draws the same text to the
byte (``tests/events/test_cards.py`` holds it to the template) from the texts
``views_work._row`` made: a list shows 50 to 200 cards, and an ``{% include %}`` per card
(its context, its tags and lookups) cost more than the page's queries together.
"""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def card_html(e, forms: str) -> SafeString:
    """``_event_card.html`` for the row ``e``; ``forms``: its one-tap forms, drawn
    (``{% compact_form %}`` of each of ``e.quick_forms``, joined)."""
    esc = conditional_escape
    sla = e.sla
    state = esc(e.state)
    out = ["\n"]
    if sla:
        sla = esc(sla)
        out.append(
            f'<li class="ev-card sla-{sla}" data-testid="event-card" data-event="{e.pk}"'
            f' data-state="{state}" data-sla="{sla}">\n  <div class="ev-card-head">\n'
            f'    <span class="sla-badge sla-{sla}" data-testid="sla">{esc(e.sla_label)}</span>\n'
        )
    else:
        out.append(
            f'<li class="ev-card" data-testid="event-card" data-event="{e.pk}"'
            f' data-state="{state}">\n  <div class="ev-card-head">\n    \n'
        )
    out.append(
        f'    <span class="state-badge state-{state}" data-testid="state">'
        f"{esc(e.state_label)}</span>\n    "
    )
    if e.emergency:
        out.append(f'<span class="ev-tag tag-emergency">{esc(_("Emergency"))}</span>')
    out.append("\n    ")
    if e.whistled_only:
        out.append(f'<span class="ev-tag">{esc(_("Whistled"))}</span>')
    out.append(
        f'\n  </div>\n  <a class="ev-card-link" href="{esc(e.url)}">\n'
        f'    <strong class="ev-card-cat">{esc(e.category_name)}</strong>\n'
        f'    <span class="ev-card-desc">{esc(e.short_description)}</span>\n'
        f'  </a>\n  <p class="ev-card-meta muted">\n'
        f"    <span>{esc(e.number_text)}</span>\n"
        f"    <span>{esc(e.place)}</span>\n"
        f'    <time datetime="{esc(e.created_iso)}">{esc(e.created_text)}</time>\n'
        "  </p>\n  "
    )
    if e.deadline_iso:
        c = e.time_left
        overdue = c["overdue"]
        out.append(
            f'\n    <p class="ev-card-deadline">{esc(_("Deadline"))} '
            f'<time datetime="{esc(e.deadline_iso)}">{esc(e.deadline_text)}</time> · '
            f'<span class="countdown{" is-overdue" if overdue else ""}" data-testid="countdown"'
            f' data-overdue="{"yes" if overdue else "no"}" data-minutes="{esc(c["minutes"])}">'
            f"{esc(c['label'])}</span>\n</p>\n  "
        )
    out.append("\n  ")
    if e.quick_forms:
        out.append(f'\n    <div class="ev-quick">{forms}</div>\n  ')
    out.append("\n</li>\n")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
