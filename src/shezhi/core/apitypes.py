"""Types every API router shares: bounded paging, sane days and moments, strict flags,
JSON text without lone surrogates, and the project's one error shape.

Each exists so that no input a fuzzer can send reaches a query, a date sum or a
database write it would break: what is out of bounds is refused up front with a
4xx naming the field (``ValidationErrorOut``), never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PaginationBase
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, ValidationInfo

from .errors import BadInput
from .lists import COUNT_CAP, Page, capped_count, cursor_of, keyset_page

# ---------------------------------------------------------------------------
# Paging

PAGE_MAX = 500
# Far beyond any table here, far below the 2**63 a database integer holds.
OFFSET_MAX = 10_000_000

Limit = Annotated[int, Field(ge=1, le=PAGE_MAX, description=f"rows per page, 1 to {PAGE_MAX}")]
Offset = Annotated[
    int, Field(ge=0, le=OFFSET_MAX, description=f"rows to skip, 0 to {OFFSET_MAX:,}")
]


class Paging(LimitOffsetPagination):
    """ninja's limit/offset paging with both numbers bounded (a 422 naming the field)."""

    class Input(Schema):
        limit: Limit = 100
        offset: Offset = 0

    Input.__name__ = Input.__qualname__ = "PageQuery"

    def __init__(self, **kwargs):
        super().__init__(max_limit=PAGE_MAX, **kwargs)


Cursor = Annotated[
    str,
    Field(
        max_length=1000,
        description="go on after the last row of a page: its `next_cursor` (offset ignored)",
    ),
]


class KeysetPaging(PaginationBase):
    """``Paging``'s limit and offset, plus a keyset cursor ``after``, for the long lists
    (the name every list API uses: the events, the households, the points statement).

    Each page says ``next_cursor`` (None on the last): passed back as ``after``, the
    next page costs what the first did, however deep (an offset walks every row it
    skips). ``cursor`` is the deprecated name of ``after``, still read. The count stops
    at ``COUNT_CAP`` (``count_capped``: there are more). The queryset's ``order_by`` is
    the keyset order and ends in a unique key (``-id``). A cursor this list did not
    give out is a 400 naming the parameter it came in.
    """

    # Named at its definition: the schema's reference is taken then (a second "Input"
    # would clash with Paging's in the document).
    class KeysetPageQuery(Schema):
        limit: Limit = 100
        offset: Offset = 0
        after: Cursor | None = None
        # The name the notifications list first gave ``after``: still read, so no
        # client breaks; deprecated in the OpenAPI document.
        cursor: str | None = Field(
            None,
            max_length=1000,
            description="deprecated: the old name of `after`",
            json_schema_extra={"deprecated": True},
        )

    Input = KeysetPageQuery

    cap = COUNT_CAP

    class Output(Schema):
        items: list[Any]
        count: int = Field(description=f"how many rows match, counted up to {COUNT_CAP:,}")
        count_capped: bool = Field(description="true: more rows match than `count` says")
        next_cursor: str | None = Field(
            description="pass as `after` for the next page; null: the last page"
        )

    def paginate_queryset(
        self, queryset, pagination: KeysetPageQuery, request: HttpRequest, **params
    ):
        order = [str(o) for o in queryset.query.order_by]
        if not order:
            raise ValueError("KeysetPaging pages a queryset with an explicit order_by")
        after, name = pagination.after, "after"
        if pagination.cursor:
            if after and after != pagination.cursor:
                raise BadInput(_("Give after only: cursor is its old name."), field="cursor")
            after, name = pagination.cursor, "cursor"
        counted = capped_count(queryset, self.cap)
        if after:
            page = keyset_page(
                queryset, order=order, limit=pagination.limit, after=after, field_name=name
            )
        else:
            start = pagination.offset
            rows = list(queryset[start : start + pagination.limit + 1])
            page = Page(rows[: pagination.limit])
            if len(rows) > pagination.limit:
                page.next_cursor = cursor_of(page.items[-1], order)
        return {
            "items": page.items,
            "count": counted.value,
            "count_capped": counted.capped,
            "next_cursor": page.next_cursor,
        }


# ---------------------------------------------------------------------------
# Whole numbers

# A row's id: what a database integer holds (a foreign-key filter on 2**64 was a 500).
ID_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
# A count or an amount written to an integer column (32 bits on PostgreSQL).
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


# ---------------------------------------------------------------------------
# Days and moments

YEAR_MIN, YEAR_MAX = 2000, 2100
# Every offset in use lies within ±14 h and is a whole quarter hour (+05:45, +08:45 …).
OFFSET_LIMIT = dt.timedelta(hours=14)


def _sane_day(value: dt.date) -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"the year must lie between {YEAR_MIN} and {YEAR_MAX}")
    return value


def _sane_moment(value: dt.datetime) -> dt.datetime:
    _sane_day(value.date())
    offset = value.utcoffset()
    if offset is not None and (
        abs(offset) > OFFSET_LIMIT or offset.total_seconds() % (15 * 60) != 0
    ):
        raise ValueError("the UTC offset must be whole quarter hours within ±14:00")
    return value


def _day_text(value: str) -> str:
    # A day that is not a date is left to the period's own parser (a 400 saying so).
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    _sane_day(day)
    return value


Day = Annotated[dt.date, AfterValidator(_sane_day)]
Moment = Annotated[dt.datetime, AfterValidator(_sane_moment)]
# A period's end as text (stats, points): a date in range, or text the period refuses.
DayText = Annotated[str, AfterValidator(_day_text)]


# ---------------------------------------------------------------------------
# Flags

_FLAG_TEXT = {"true": True, "false": False}


def _strict_flag(value: Any, info: ValidationInfo) -> bool:
    """JSON true/false in a JSON body; the words true/false in a query or a form.

    Pydantic's lax booleans read "yes", "on", 1 and "t" as true: a client that
    sent one of those meant something we cannot be sure of.
    """
    if isinstance(value, bool):
        return value
    request = (info.context or {}).get("request")
    from_json = (
        request is not None
        and request.method in ("POST", "PUT", "PATCH")
        and request.content_type == "application/json"
    )
    if isinstance(value, str) and not from_json and value.lower() in _FLAG_TEXT:
        return _FLAG_TEXT[value.lower()]
    raise ValueError("must be true or false")


Flag = Annotated[bool, BeforeValidator(_strict_flag)]


# ---------------------------------------------------------------------------
# JSON text


class LoneSurrogate(ValueError):
    """A JSON string held half of a UTF-16 pair ("\\ud800"): no text can store it."""

    def __init__(self, field: str):
        super().__init__(f"{field}: a lone surrogate is not text")
        self.field = field


def _surrogate_at(value: Any, path: tuple = ()) -> str | None:
    """The dotted path of the first string (or key) holding a lone surrogate, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # The path itself may hold the surrogate (a key): name it printably.
            where = ".".join(str(p) for p in path) or "body"
            return where.encode("utf-8", "replace").decode("utf-8")
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _surrogate_at(key, (*path, key)) or _surrogate_at(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _surrogate_at(item, (*path, i))
            if found:
                return found
    return None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def loads_text(text: str | bytes) -> Any:
    """``json.loads`` that refuses a lone surrogate anywhere (``LoneSurrogate``), and
    NaN or Infinity (Python reads them; JSON has no such numbers, and int() of one fails)."""
    data = json.loads(text, parse_constant=_not_json)
    where = _surrogate_at(data)
    if where is not None:
        raise LoneSurrogate(where)
    return data


class TextParser(Parser):
    """The API's JSON parser: the same as ninja's, but a body holding a lone surrogate
    is refused (see ``shezhi.api``) before any handler sees it."""

    def parse_body(self, request: HttpRequest):
        return loads_text(request.body)


# ---------------------------------------------------------------------------
# Shapes several routers answer


class AreaRef(Schema):
    """An area as other objects cite it."""

    code: str
    name: str
    level: str


# ---------------------------------------------------------------------------
# Error shapes


class ErrorOut(Schema):
    """The project's one error shape."""

    detail: str = Field(description="what went wrong, in the caller's language")
    code: str = Field(
        description="stable for clients: bad_input (400), forbidden (403), not_found (404),"
        " not_allowed (409: not possible from the event's state), conflict (409: somebody"
        " acted first), invalid (422: the request does not match the schema),"
        " idempotency_key_reused (422: the key was used for another request),"
        " unauthorized (401), locked_out (429)"
    )
    field: str | None = Field(None, description="the input the error is about, when one is")


class NotFoundOut(Schema):
    detail: str = Field(description="the object does not exist or is outside the caller's scope")
    code: str = Field("not_found", description="not_found")


class FieldErrorOut(Schema):
    field: str = Field(description="the input, dotted (address, data.rating, limit)")
    message: str
    type: str = Field(description="pydantic's error type (string_too_long, less_than_equal …)")


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = Field(
        default_factory=list, description="every field that was refused"
    )


def field_name(loc: list | tuple) -> str:
    """An error location as the client wrote it: ("body", "payload", "address") → address."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "form", "query", "path", "header", "cookie", "file"):
        source, parts = parts[0], parts[1:]
        # A body or form schema is one handler argument whose name the client never sees.
        if source in ("body", "form") and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "body"


def validation_body(errors: list[dict]) -> dict:
    rows = [
        {
            "field": field_name(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": e.get("type", ""),
        }
        for e in errors
    ] or [{"field": "body", "message": "invalid", "type": "invalid"}]
    first = rows[0]
    return {
        "detail": "; ".join(f"{r['field']}: {r['message']}" for r in rows),
        "code": "invalid",
        "field": first["field"],
        "errors": rows,
    }
