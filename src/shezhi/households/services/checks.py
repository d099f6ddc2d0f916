"""What every write of the household base shares: who may, input checked (nothing here
writes), and the recount of a micro-grid's tag counts."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core import personal_data as pd
from shezhi.core.errors import BadInput, Forbidden

from .. import permissions
from .. import tags as tagset
from ..models import Household, Resident, TagCount

_UNSET = object()
PHONE_RE = re.compile(r"^[0-9+][0-9 ()\-]{2,19}$")


# ---------------------------------------------------------------------------
# Permission


def _require(actor, action: str, obj, message: str) -> None:
    """Go on when ``actor`` may ``action`` ``obj``; a 404 when they do not even see it,
    else a refusal (403) saying who may."""
    if permissions.can(actor, action, obj):
        return
    if not permissions.can(actor, "view", obj):
        raise Http404("Not found.")
    raise Forbidden(message)


def _require_change(actor, household: Household) -> None:
    _require(
        actor,
        "change",
        household,
        _("Only those who work this household's area register its residents."),
    )


def _require_places(actor, obj) -> None:
    _require(
        actor,
        "manage_places",
        obj,
        _(
            "Only community staff, street staff and district admins register compounds"
            " and buildings."
        ),
    )


# ---------------------------------------------------------------------------
# Checking input (nothing here writes)


def _text(value, field: str, limit: int, *, required: bool = False, label: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(_("Give a text."), field=field)
    value = value.strip()
    if required and not value:
        raise BadInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise BadInput(
            _("At most %(n)d characters, not %(count)d.") % {"n": limit, "count": len(value)},
            field=field,
        )
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise BadInput(
            _("Unknown value %(value)s; use one of %(choices)s.")
            % {"value": str(value)[:40], "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise BadInput(_("Give a whole number."), field=field) from None
    if not low <= value <= high:
        raise BadInput(
            _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=field
        )
    return value


def _day(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(_("Give a date as YYYY-MM-DD."), field=field) from None
    if value.year < 1900:
        raise BadInput(_("The date is before 1900."), field=field)
    if value > timezone.localdate():
        raise BadInput(_("The date is in the future."), field=field)
    return value


def _service_phone(value, field: str) -> str:
    """A compound's service line: public, so not a mobile number (a person's own)."""
    value = _text(value, field, 20)
    if not value:
        return ""
    if not PHONE_RE.match(value):
        raise BadInput(_("%(phone)s is not a phone number.") % {"phone": value}, field=field)
    if re.fullmatch(r"1[3-9]\d{9}", pd.normalise(pd.PHONE, value)):
        raise BadInput(
            _(
                "A mobile number is usually a person's own: enter it as the property manager's"
                " phone, which is stored encrypted."
            ),
            field=field,
        )
    return value


def _personal_phone(value, field: str) -> dict:
    """The encrypted phone, its blind index and last four, under ``field``'s names."""
    value = _text(value, field, 30)
    if value:
        try:
            pd.validate_phone(value)
        except ValidationError as exc:
            raise BadInput(" ".join(exc.messages), field=field) from None
    return {
        field: pd.normalise(pd.PHONE, value) if value else "",
        f"{field}_index": pd.blind_index(pd.PHONE, value) if value else "",
        f"{field}_last4": pd.last4(pd.PHONE, value) if value else "",
    }


def _tags(value, field: str, allowed: Iterable[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise BadInput(_("Give the tags as a list of codes."), field=field)
    allowed = set(allowed)
    out = []
    for item in value:
        if not isinstance(item, str) or item not in tagset.LABELS:
            raise BadInput(
                _("Unknown tag %(tag)s.") % {"tag": str(item)[:40]},
                field=field,
            )
        if item not in allowed:
            if item in tagset.SENSITIVE:
                message = _("%(tag)s is a sensitive tag: give it under sensitive_tags.")
            else:
                message = _("%(tag)s is not a sensitive tag: give it under tags.")
            raise BadInput(message % {"tag": item}, field=field)
        if item not in out:
            out.append(item)
    return out


# ---------------------------------------------------------------------------
# Tag counts


def recount(micro_grid_ids: Iterable[int]) -> None:
    """Recount the ``TagCount`` rows of these micro-grids from their residents.

    Called inside the writing transaction; the micro-grids' rows are locked first
    (PostgreSQL), so two writers in one micro-grid recount one after the other and the
    second sees the first's residents.
    """
    ids = sorted({i for i in micro_grid_ids if i})
    if not ids:
        return
    paths = dict(Area.objects.select_for_update().filter(pk__in=ids).values_list("pk", "path"))
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = Resident.objects.filter(household__micro_grid_id__in=ids).values_list(
        "household__micro_grid_id", "tags", "sensitive_tags"
    )
    for micro_grid_id, plain, sensitive in rows.iterator(chunk_size=2000):
        counts[micro_grid_id].update(tagset.decode(plain) + tagset.decode(sensitive))
    TagCount.objects.filter(micro_grid_id__in=ids).delete()
    TagCount.objects.bulk_create(
        TagCount(micro_grid_id=mg, area_path=paths[mg], tag=tag, count=n)
        for mg in ids
        if mg in paths
        for tag, n in sorted(counts[mg].items())
        if n
    )
