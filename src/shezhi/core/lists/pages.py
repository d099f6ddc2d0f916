"""Pages: ``keyset_page`` (a cursor's page), ``page_of`` (a work page's numbered pages
over a capped count, then cursors), ``cursor_page`` (a work page's pages by cursor
alone: "more"), ``Pageable`` (a list Django's ``Paginator`` reads a
page at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from ..errors import BadInput
from .counts import COUNT_CAP, Count, capped_count
from .cursors import _key, _reverse, after_q, cursor_of, decode_cursor, encode_cursor


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
    first_query = ""

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


def cursor_page(
    qs: QuerySet,
    params: QueryDict,
    *,
    order: Sequence[str],
    per_page: int,
    cap: int | None = COUNT_CAP,
) -> CursorPage:
    """One page of a list read by keyset cursors alone, never by offset: the first
    ``per_page`` rows in ``order``, then ``?after=`` ("more") and ``?before=``, each
    page at the cost of the first. For a work list whose reader goes on a page at a
    time (an inbox): no page numbers. ``page.paginator.counted`` is the list's count,
    capped at ``cap`` (read only when the page shows it); ``page.first_query`` the
    link back to the first page. A cursor that is not one of ours, or after which
    nothing is left (the rows it stood after were acted on), shows the first page.
    ``order`` ends in a unique key; its keys may be annotations of ``qs``.
    """
    order = list(order)
    qs = qs.order_by(*order)
    paginator = CappedPaginator(qs, per_page, cap=cap)
    after, before = params.get("after") or None, params.get("before") or None
    keyset = None
    if after or before:
        try:
            keyset = keyset_page(qs, order=order, limit=per_page, after=after, before=before)
        except BadInput:
            keyset = None
        if keyset is not None and not keyset.items:
            keyset = None
    if keyset is None:
        keyset = keyset_page(qs, order=order, limit=per_page)
    page = CursorPage(keyset.items, paginator, keyset)
    if not page.has_other_pages():  # the whole list on this page: counted without a query
        paginator.counted = Count(len(page.object_list))
    cleared = {"after": None, "before": None, "page": None}
    page.first_query = _query(params, **cleared)
    if page.prev_cursor:
        page.previous_query = _query(params, **{**cleared, "before": page.prev_cursor})
    if page.next_cursor:
        page.next_query = _query(params, **{**cleared, "after": page.next_cursor})
    return page


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
