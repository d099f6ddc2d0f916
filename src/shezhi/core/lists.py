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

- **Which index drives a page.** A planner without statistics (SQLite as the
  platform runs it) cannot tell a district's path range, which holds every row,
  from a micro-grid's, which holds a few hundred: it sorts the district's million
  or walks the whole table for the micro-grid's. ``driven_page`` decides from the
  sets themselves: it asks each set that an index answers for at most
  ``GATHER_MAX + 1`` ids, and when one is that small it gathers the page from those
  ids and sorts them (the count exact, for free); otherwise every set is large and
  it walks the order's index newest first, checking the rest row by row, which
  stops after a page. ``among`` writes "id in (subquery)" as both planners use it
  inside an OR (PostgreSQL does not index ``IN (SELECT …)`` there); ``unindexed``
  keeps SQLite's planner off an index it would otherwise pick for a term (SQLite's
  documented unary ``+``; PostgreSQL plans from its statistics and gets the plain
  column).

And one rule for the rows themselves: whatever a row shows (its area's name, its
buttons, "me too") is fetched for the whole page in a fixed number of queries, never
per row. ``tests/test_list_queries.py`` counts a page's queries at 5 rows and at 50.
"""

from __future__ import annotations

import base64
import datetime as dt
import heapq
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, Func, Q, QuerySet
from django.db.models import lookups as dj_lookups
from django.db.models.constants import LOOKUP_SEP
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
            qs.filter(after_q(_reverse(order), values)).order_by(*_reverse(order))[: limit + 1]
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
        qs = qs.filter(after_q(order, values))
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


# Which index drives a page

# A set of at most this many rows is gathered and sorted (a few milliseconds);
# a larger one is walked in the order's index, which stops after the page.
GATHER_MAX = 5000
# A walk first looks at this many rows of the order's index (more for a deep offset).
WALK_WINDOW = 2000
# Sets are sized up to this many rows to choose the cheaper way where filters meet
# rarely (see driven_page); a larger set is never gathered.
LARGE_SET = 50_000


class Unindexed(Func):
    """A column read as a value, not through its index: on SQLite ``+col`` (its
    documented way to keep the planner off an index); elsewhere the column itself."""

    arity = 1
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


class Among(dj_lookups.Lookup):
    """``lhs IN (subquery)``, written ``lhs = ANY(ARRAY(subquery))`` on PostgreSQL: its
    planner indexes the array (an InitPlan, run once) also as one arm of an OR, where
    it leaves ``IN (SELECT …)`` unindexed. Read ``Unindexed`` (a check on rows found
    otherwise) it stays ``IN (SELECT …)``: a hashed lookup per row, where ``= ANY`` of
    a parameter array would search the array from its start for every row."""

    lookup_name = "among"
    prepare_rhs = False

    def _sides(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        if not rhs_sql.startswith("("):
            rhs_sql = f"({rhs_sql})"
        return lhs_sql, rhs_sql, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs_sql, rhs_sql, params = self._sides(compiler, connection)
        return f"{lhs_sql} IN {rhs_sql}", params

    def as_postgresql(self, compiler, connection):
        if isinstance(self.lhs, Unindexed):
            return self.as_sql(compiler, connection)
        lhs_sql, rhs_sql, params = self._sides(compiler, connection)
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", params


def among(field_name: str, subquery: QuerySet) -> Q:
    """Rows whose ``field_name`` is one of the values ``subquery`` selects (one column)."""
    return Q(Among(F(field_name), subquery))


_LOOKUPS = {
    "exact": dj_lookups.Exact,
    "in": dj_lookups.In,
    "gt": dj_lookups.GreaterThan,
    "gte": dj_lookups.GreaterThanOrEqual,
    "lt": dj_lookups.LessThan,
    "lte": dj_lookups.LessThanOrEqual,
    "isnull": dj_lookups.IsNull,
}


def unindexed(q: Q) -> Q:
    """``q`` with every column it compares read through ``Unindexed``: the same rows,
    but SQLite's planner will not drive the query from those columns' indexes.

    Takes the plain lookups (``exact``, ``in``, ``gt(e)``, ``lt(e)``, ``isnull``) on the
    model's own columns (no relation crossed) and lookup expressions (``Among``);
    anything else is a programming error (ValueError), never a silent change of meaning.
    """
    out = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(unindexed(child))
        elif isinstance(child, dj_lookups.Lookup):
            out.children.append(type(child)(Unindexed(child.lhs), child.rhs))
        elif isinstance(child, tuple):
            key, value = child
            column, _sep, lookup = key.partition(LOOKUP_SEP)
            lookup = lookup or "exact"
            if lookup not in _LOOKUPS or value is None:
                raise ValueError(f"unindexed() cannot rewrite {key!r}={value!r}")
            out.children.append(_LOOKUPS[lookup](Unindexed(F(column)), value))
        else:
            raise ValueError(f"unindexed() cannot rewrite {child!r}")
    return out


def _all(qs: Sequence[Q]) -> Q:
    out = Q()
    for q in qs:
        out &= q
    return out


def driven_page(
    qs: QuerySet,
    *,
    sets: Sequence[Q],
    walk: Q | None = None,
    rest: Q | None = None,
    order: Sequence[str],
    limit: int,
    after: str | None = None,
    offset: int = 0,
    field_name: str = "after",
    cap: int | None = None,
    count: bool = True,
) -> Page:
    """One page of ``qs`` filtered by ``sets``, ``walk`` and ``rest``, in ``order`` (keys
    never null, the last unique), after the cursor ``after`` or from ``offset``; with
    its count.

    - ``sets``: filters that an index answers as a set of rows (the user's scope, "my
      inbox", a path range …), tried in turn, the likeliest small first. The first
      that holds at most ``GATHER_MAX`` rows drives: the page is gathered from its ids,
      everything else checked on those rows and sorted; the count is exact.
    - ``walk``: the filter the order's index walks with (a state's (state, created_at)
      index: ``Q(state=…)``; a date range); ``rest``: everything else.
    - When every set is larger, the order's index is walked with ``walk``, the rest
      checked row by row, first over its newest ``WALK_WINDOW`` rows: a page found
      there is the page. Otherwise the filters meet rarely: the walk goes on over
      twice as many rows as the smallest set holds (sized up to ``LARGE_SET``), and
      when that finds no page either, the page is gathered from that set: never
      much more than twice the work of the cheaper way. With every set larger than
      ``LARGE_SET``, the walk goes on to the page.
    - The count of a walked page is capped (``capped_count``): known without a query
      when one set is the only filter; from the window when it holds more than the
      cap; else driven by the smallest set's index (the planner's choice when every
      set is larger than ``LARGE_SET``).
    - The same plan on both databases. PostgreSQL's statistics would not save it: a
      set given by ``among`` is an array it cannot estimate, and should it walk with
      that array as a check, it searches the array from its start for every row.

    Offsets are kept for compatibility (a walk pays for every row it skips; the
    cursor does not). Queries: one per set sized, the page's keys then its rows (a
    walk: one more for its window's edge), and the count (none with ``count=False``:
    ``page.count`` is then None).
    """
    cap = COUNT_CAP if cap is None else cap
    plan = _Plan(qs, sets, walk or Q(), rest or Q(), order, limit, offset, cap, count)
    plan.bound = decode_cursor(after, len(order), field_name=field_name) if after else None
    plan.after = after
    for candidate in plan.sets:
        pool = plan.model._default_manager.filter(candidate)
        if not capped_count(pool, GATHER_MAX).capped:
            return plan.gathered(pool)
    page = plan.walked(depth=max(WALK_WINDOW, 4 * (offset + limit + 1)))
    if page is None:
        # The filters meet rarely in the newest rows. Walk on, but no further than
        # the smallest set is long: then read that set instead (at most twice the
        # work of the cheaper way, whichever it was).
        smallest, size = plan.smallest()
        if smallest is None:
            page = plan.walked()
        elif 2 * size <= plan.depth:
            return plan.gathered(smallest)
        else:
            page = plan.walked(depth=2 * size)
            if page is None:
                return plan.gathered(smallest)
    if count:
        page.count = plan.count()
    return page


class _Plan:
    """The parts of one ``driven_page``: how its page is read, and its count."""

    def __init__(self, qs, sets, walk, rest, order, limit, offset, cap, count) -> None:
        self.qs = qs
        self.model = qs.model
        self.sets = [q for q in sets if q]  # Q(): no limit, no small set
        self.walk = walk
        self.rest = rest
        self.order = list(order)
        self.keys = [o.lstrip("-") for o in order]
        self.limit = limit
        self.offset = offset
        self.cap = cap
        self.want_count = count
        self.everything = _all(self.sets) & walk & rest
        self.bound: list | None = None
        self.after: str | None = None
        self._sizes: list[tuple[int, Q]] | None = None
        self._reach = 0
        self.window: QuerySet | None = None
        self._window_count: int | None = None
        self.depth = 0

    def _page(self, found: list, total: Count | None) -> Page:
        more = len(found) > self.limit
        found = found[: self.limit]
        return Page(
            items=_rows_of(self.qs, found, self.order),
            next_cursor=encode_cursor(list(found[-1][:-1])) if found and more else None,
            prev_cursor=encode_cursor(list(found[0][:-1])) if found and self.after else None,
            count=total,
        )

    def _keys(self, qs: QuerySet) -> list:
        """The page's key tuples (ending in the pk), one more to tell a next page."""
        start = 0 if self.bound is not None else self.offset
        return list(
            qs.order_by(*self.order).values_list(*self.keys, "pk")[start : start + self.limit + 1]
        )

    def _bounded(self, qs: QuerySet, wrap=lambda q: q) -> QuerySet:
        if self.bound is None:
            return qs
        return qs.filter(wrap(after_q(self.order, self.bound)))

    def gathered(self, pool: QuerySet) -> Page:
        """The page out of ``pool``'s ids: only they are read through an index, every
        filter checked on them and the matches sorted; the count exact."""
        matching = self.model._default_manager.filter(pk__in=pool.values("pk")).filter(
            unindexed(self.everything)
        )
        total = Count(matching.count()) if self.want_count else None
        return self._page(self._keys(self._bounded(matching, unindexed)), total)

    def _walk(self, *, bounded: bool = True) -> QuerySet:
        """The rows in the order's index with ``walk``, the rest checked on each."""
        walked = self.qs.filter(self.walk).filter(unindexed(_all(self.sets) & self.rest))
        return self._bounded(walked) if bounded else walked

    def _window(self, walked: QuerySet, depth: int, *, bounded: bool = True) -> QuerySet | None:
        """``walked`` over the first ``depth`` rows of the walk (None: it has fewer)."""
        stream = self.model._default_manager.filter(self.walk)
        if bounded:
            stream = self._bounded(stream)
        edges = list(stream.order_by(*self.order).values_list(*self.keys)[depth - 1 : depth])
        if not edges:
            return None
        return walked.filter(after_q(_reverse(self.order), edges[0], inclusive=True))

    def walked(self, *, depth: int | None = None) -> Page | None:
        """The page walked in the order's index; with ``depth``, only over the walk's
        first rows (None when they hold less than the page and more rows follow)."""
        walked = self._walk()
        if depth is not None:
            window = self._window(walked, depth)
            if self.window is None:
                self.window, self.depth = window, depth  # the first: the newest rows
            if window is not None:
                found = self._keys(window)
                return self._page(found, None) if len(found) > self.limit else None
        return self._page(self._keys(walked), None)

    def _in_window(self) -> int | None:
        """How many rows match among the walk's first ``depth``, up to the cap + 1
        (None: no window)."""
        if self.window is None:
            return None
        if self._window_count is None:
            n = capped_count(self.window, self.cap)
            self._window_count = n.value + n.capped
        return self._window_count

    def _sized(self, reach: int) -> list[tuple[int, Q]]:
        """Each set's size up to ``reach`` (+1: larger), smallest first."""
        if self._sizes is None or self._reach < reach:
            sizes = []
            for q in self.sets:
                n = capped_count(self.model._default_manager.filter(q), reach)
                sizes.append((n.value + n.capped, q))
            self._sizes, self._reach = sorted(sizes, key=lambda pair: pair[0]), reach
        return self._sizes

    def smallest(self, reach: int = LARGE_SET) -> tuple[QuerySet | None, int]:
        """The smallest set and its size, when it holds at most ``reach`` rows."""
        sized = self._sized(reach)
        if not sized or sized[0][0] > reach:
            return None, 0
        return self.model._default_manager.filter(sized[0][1]), sized[0][0]

    def count(self) -> Count:
        """Capped. Free when one set (larger than ``GATHER_MAX``) is the only filter, or
        when the walk's window already holds more than the cap; else counted along the
        walk when, by the window's share of matches, the cap is reached within
        ``LARGE_SET`` rows; else driven by the smallest set (its index; everything
        else checked on its rows)."""
        alone = not self.rest and self.walk in (Q(), *self.sets) and len(self.sets) == 1
        if alone and self.cap <= GATHER_MAX:
            return Count(self.cap, capped=True)
        seen = self._in_window() or 0
        if seen > self.cap:
            return Count(self.cap, capped=True)
        if seen:
            # Twice the rows the window's share says hold the cap, from the top.
            depth = 2 * (self.cap + 1) * self.depth // seen
            if depth <= LARGE_SET:
                walked = self._walk(bounded=False)
                window = self._window(walked, depth, bounded=False)
                counted = capped_count(walked if window is None else window, self.cap)
                if counted.capped or window is None:
                    return counted
        manager = self.model._default_manager
        smallest, _size = self.smallest()
        if smallest is None:
            return capped_count(manager.filter(self.everything), self.cap)
        return capped_count(smallest.filter(unindexed(self.everything)), self.cap)


def _rows_of(qs: QuerySet, found: list, order: Sequence[str]) -> list:
    """The rows of ``found`` (key tuples ending in the pk), in ``order``, in one query."""
    if not found:
        return []
    return list(qs.filter(pk__in=[row[-1] for row in found]).order_by(*order))


def union_page(
    qs: QuerySet, streams: Sequence[QuerySet], *, order: Sequence[str], limit: int, offset: int = 0
) -> list:
    """Rows ``offset`` to ``offset + limit`` of the disjoint union of ``streams``, in
    ``order`` (every key the same way): each stream's first ``offset + limit`` keys,
    read where an index walks it, merged here; the page's rows then come from ``qs``
    in one query. For a list an OR of two indexes would make the database sort."""
    directions = {o.startswith("-") for o in order}
    if len(directions) != 1:
        raise ValueError("union_page merges keys that all run the same way")
    keys = [o.lstrip("-") for o in order]
    heads = [
        list(stream.order_by(*order).values_list(*keys, "pk")[: offset + limit])
        for stream in streams
    ]
    merged = heapq.merge(*heads, key=lambda row: row[:-1], reverse=directions.pop())
    return _rows_of(qs, list(merged)[offset : offset + limit], order)


class Pageable:
    """A list Django's ``Paginator`` pages through without reading it whole: its owner
    says how to count it and how to read ``limit`` rows from ``offset``."""

    def __init__(self, *, count, rows) -> None:
        self._count = count
        self._rows = rows
        self._counted: int | None = None

    def count(self) -> int:
        if self._counted is None:
            self._counted = self._count()
        return self._counted

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a Pageable is read a page (a slice) at a time")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        return list(self._rows(start, stop - start))
