"""The shared way to write a scoped, filtered, paged list that stays fast at a million rows.

Every list in the project (an API's items, a work page's rows) is built from three parts:

- **Scope as a range.** A subtree of the area tree is a range of materialized paths:
  ``path >= p AND path < successor(p)``. Both SQLite and PostgreSQL answer it from a
  B-tree index under any collation; ``LIKE 'p%'`` (Django's ``startswith``) is not
  an index range on SQLite (its LIKE is case-insensitive) nor on PostgreSQL outside
  the C collation. ``subtree_q`` writes it; ``core.scope.scope_q`` uses it.
- **Keyset cursors.** A page after row R is ``WHERE (k1, k2) < (R.k1, R.k2)`` in the
  order of an index, so page 20,000 costs what page 1 does. ``keyset_page`` takes an
  opaque cursor (``after`` or ``before``) and returns the rows plus the cursors of the
  pages either side. Offsets stay for short lists and for the API's compatibility.
- **Capped counts.** An exact count over a million rows costs a scan of its index;
  nobody reads "937,412" where "1,000+" does. ``capped_count`` counts at most
  ``cap + 1`` rows through a sliced subquery and says whether it stopped;
  ``capped_counts`` counts several lists (a page's tabs) so in one statement.

And one rule for the rows themselves: whatever a row shows (its area's name, its
buttons, "me too") is fetched for the whole page in a fixed number of queries, never
per row. ``tests/test_list_queries.py`` counts a page's queries at 5 rows and at 50.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from .errors import BadInput

# treebeard's default alphabet (``MP_Node.alphabet``): the characters of every path.
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Counts stop here on pages and in the API: "1,000+" (see capped_count).
COUNT_CAP = 1000


# ---------------------------------------------------------------------------
# Subtrees as ranges


def successor(prefix: str, alphabet: str = PATH_ALPHABET) -> str | None:
    """The least string greater than every string that starts with ``prefix``.

    Drop trailing highest characters, then step the last one up in ``alphabet``
    ("0001" → "0002", "000Z" → "001", "ZZ" → None: no upper bound). The result is
    built from the alphabet's own characters, so it sorts the same under every
    collation that orders digits before capital letters (all of them do).
    """
    top = alphabet[-1]
    stem = prefix.rstrip(top)
    if not stem:
        return None
    last = stem[-1]
    index = alphabet.find(last)
    if index < 0:
        raise ValueError(f"{last!r} is not in the path alphabet")
    return stem[:-1] + alphabet[index + 1]


def subtree_q(field_name: str, path: str) -> Q:
    """Rows whose path in ``field_name`` lies in the subtree at ``path`` (itself included)."""
    if not path:
        return Q()
    upper = successor(path)
    q = Q(**{f"{field_name}__gte": path})
    if upper is not None:
        q &= Q(**{f"{field_name}__lt": upper})
    return q


# ---------------------------------------------------------------------------
# Counts


@dataclass(frozen=True)
class Count:
    """How many rows, exact below the cap; ``capped``: at least ``value``."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> Count:
    """Count ``qs`` up to ``cap`` rows: ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``.

    The work is bounded by the cap, however many rows match.
    """
    n = qs.order_by().values("pk")[: cap + 1].count()
    return _count(n, cap)


def _count(n: int, cap: int) -> Count:
    return Count(cap, capped=True) if n > cap else Count(n)


def capped_counts(querysets: Mapping[str, QuerySet], cap: int = COUNT_CAP) -> dict[str, Count]:
    """``capped_count`` of each of ``querysets`` (all on one database), in one statement:
    ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1) AS c), …`` (a page's tabs).

    Each count is bounded by the cap as ``capped_count``'s is; one round trip for all.
    """
    if not querysets:
        return {}
    using = next(iter(querysets.values())).db
    parts: list[str] = []
    params: list[Any] = []
    for qs in querysets.values():
        inner = qs.order_by().values("pk")[: cap + 1]
        try:
            sql, inner_params = inner.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # e.g. ``none()`` or an empty ``__in``: nothing to count
            parts.append("0")
            continue
        # The ORM's own SQL, its values left as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(inner_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: _count(int(n), cap) for name, n in zip(querysets, row, strict=True)}


# ---------------------------------------------------------------------------
# Keyset cursors


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


def _after_q(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order`` (fields, "-" for descending).

    Written as ``k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND (k2 < v2 …)))``: the first
    conjunct is an index range both databases can seek to; the rest filters within it.
    """

    def strictly(i: int) -> Q:
        name = order[i].lstrip("-")
        op = "lt" if order[i].startswith("-") else "gt"
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


@dataclass
class Page:
    """One page of a keyset-paged list.

    ``next_cursor``: the token for the page after (None on the last); ``prev_cursor``:
    for the page before (None on the first).
    """

    items: list[Any]
    next_cursor: str | None = None
    prev_cursor: str | None = None
    count: Count | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def keyset_page(
    qs: QuerySet,
    *,
    order: Sequence[str],
    limit: int,
    after: str | None = None,
    before: str | None = None,
    field_name: str = "cursor",
) -> Page:
    """``limit`` rows of ``qs`` in ``order`` (which must end in a unique key, e.g. "-id"),
    starting after the cursor ``after`` or ending before ``before``.

    Fetches ``limit + 1`` rows to know whether another page follows: no count needed.
    """
    order = list(order)
    if after and before:
        raise BadInput(_("Give either after or before, not both."), field=field_name)
    if before:
        values = decode_cursor(before, len(order), field_name=field_name)
        rows = list(
            qs.filter(_after_q(_reverse(order), values)).order_by(*_reverse(order))[: limit + 1]
        )
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        return Page(
            items=rows,
            prev_cursor=encode_cursor(_key(rows[0], order)) if rows and more_before else None,
            next_cursor=encode_cursor(_key(rows[-1], order)) if rows else None,
        )
    if after:
        values = decode_cursor(after, len(order), field_name=field_name)
        qs = qs.filter(_after_q(order, values))
    rows = list(qs.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=rows,
        next_cursor=encode_cursor(_key(rows[-1], order)) if rows and more else None,
        prev_cursor=encode_cursor(_key(rows[0], order)) if rows and after else None,
    )


# ---------------------------------------------------------------------------
# Pages with numbers, as far as they stay cheap


class CappedPaginator(Paginator):
    """Django's ``Paginator`` whose count stops at about ``cap`` rows (None: exact).

    The cap is rounded up to whole pages, so the last numbered page is full and a
    list longer than the cap goes on from its last row with a keyset cursor
    (``page_of``): numbered pages cost at most ``cap`` rows of an index walk, and
    the count at most ``cap + 1`` rows, however long the list is.
    """

    def __init__(self, object_list, per_page, *, cap: int | None = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = None if cap is None else -(-cap // per_page) * per_page

    @cached_property
    def counted(self) -> Count:
        if self.cap is None:
            return Count(self.object_list.count())
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self.counted.value

    @property
    def capped(self) -> bool:
        return self.counted.capped

    def _get_page(self, *args, **kwargs) -> NumberedPage:
        return NumberedPage(*args, **kwargs)


def _query(params: QueryDict, **changes: str | None) -> str:
    """``params`` with ``changes`` (None: removed), URL-encoded, as a link's query string."""
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


class NumberedPage(DjangoPage):
    """A numbered page of ``page_of``; past the last numbered page of a capped list,
    ``next_cursor`` goes on (``has_next`` stays true). ``previous_query`` and
    ``next_query``: the query strings of the links either side."""

    cursor_mode = False
    next_cursor: str | None = None
    prev_cursor: str | None = None
    previous_query = ""
    next_query = ""

    def has_next(self) -> bool:
        return super().has_next() or self.next_cursor is not None


class CursorPage:
    """A page of ``page_of`` past the numbered pages: the same interface as
    ``NumberedPage`` (``number`` is None), its links keyset cursors."""

    cursor_mode = True
    number = None

    def __init__(self, items: list, paginator: CappedPaginator, keyset: Page):
        self.object_list = items
        self.paginator = paginator
        self.next_cursor = keyset.next_cursor
        self.prev_cursor = keyset.prev_cursor
        self.previous_query = ""
        self.next_query = ""

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        return self.prev_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()


def page_of(
    qs: QuerySet,
    params: QueryDict,
    *,
    order: Sequence[str],
    per_page: int,
    cap: int | None = COUNT_CAP,
    param: str = "page",
) -> NumberedPage | CursorPage:
    """One page of a work page's list, as its reader asked for it in ``params``.

    ``?page=N`` (``param``): numbered pages over a count capped at ``cap`` rows
    (None: exact, for lists bounded by nature, such as a workforce); a number out
    of range or not a number shows the nearest page, as ``Paginator.get_page``
    does. Past the cap, ``?after=`` / ``?before=`` cursors go on, in the same
    order: every row is reachable, each page at the cost of the first. A cursor
    that is not one of ours shows the first page. ``order`` ends in a unique key.
    """
    order = list(order)
    qs = qs.order_by(*order)
    paginator = CappedPaginator(qs, per_page, cap=cap)
    after, before = params.get("after") or None, params.get("before") or None
    if (after or before) and cap is not None:
        try:
            keyset = keyset_page(qs, order=order, limit=per_page, after=after, before=before)
        except BadInput:
            keyset = None
        if keyset is not None and keyset.items:
            page = CursorPage(keyset.items, paginator, keyset)
            cleared = {param: None, "after": None, "before": None}
            if page.prev_cursor:
                page.previous_query = _query(params, **{**cleared, "before": page.prev_cursor})
            if page.next_cursor:
                page.next_query = _query(params, **{**cleared, "after": page.next_cursor})
            return page
    page = paginator.get_page(params.get(param))
    page.object_list = list(page.object_list)  # read once, here: the view may add to its rows
    cleared = {"after": None, "before": None}
    if page.has_previous():
        page.previous_query = _query(params, **cleared, **{param: str(page.number - 1)})
    if page.number < paginator.num_pages:
        page.next_query = _query(params, **cleared, **{param: str(page.number + 1)})
    elif paginator.capped and page.object_list:
        page.next_cursor = cursor_of(page.object_list[-1], order)
        page.next_query = _query(params, **{**cleared, param: None, "after": page.next_cursor})
    return page
