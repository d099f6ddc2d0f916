"""Keyset cursors: a row's position in an order (its keys) as an opaque token, and the
filter for the rows after it (``after_q``), which both databases seek to in an index."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from ..errors import BadInput


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind == "t":
            return dt.datetime.fromisoformat(text)
        if kind == "d":
            return dt.date.fromisoformat(text)
        if kind == "n":
            return Decimal(text)
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    raise ValueError("not a cursor value")


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque token for a row's position (its ordering keys), safe in a URL."""
    text = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str, width: int, *, field_name: str = "cursor") -> list[Any]:
    """The ordering keys in ``token``; a 400 naming ``field_name`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode())
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong width")
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise BadInput(
            _("This cursor is not one this list gave out; start again from the first page."),
            field=field_name,
        ) from None


def after_q(order: Sequence[str], values: Sequence[Any], *, inclusive: bool = False) -> Q:
    """Rows strictly after ``values`` in ``order`` (fields, "-" for descending); with
    ``inclusive``, the row at ``values`` too.

    Written as ``k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND (k2 < v2 …)))``: the first
    conjunct is an index range both databases can seek to; the rest filters within it.
    """

    def strictly(i: int) -> Q:
        name = order[i].lstrip("-")
        op = "lt" if order[i].startswith("-") else "gt"
        if inclusive and i + 1 == len(order):
            op += "e"
        q = Q(**{f"{name}__{op}": values[i]})
        if i + 1 < len(order):
            q |= Q(**{name: values[i]}) & strictly(i + 1)
        return q

    first = order[0].lstrip("-")
    bound = "lte" if order[0].startswith("-") else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & strictly(0)


def _reverse(order: Sequence[str]) -> list[str]:
    return [o[1:] if o.startswith("-") else f"-{o}" for o in order]


def _key(row: Any, order: Sequence[str]) -> list[Any]:
    out = []
    for o in order:
        value = row
        for part in o.lstrip("-").split("__"):
            value = getattr(value, part)
        out.append(value)
    return out


def cursor_of(row: Any, order: Sequence[str]) -> str:
    """The cursor of the page that goes on after ``row`` in ``order``."""
    return encode_cursor(_key(row, order))
