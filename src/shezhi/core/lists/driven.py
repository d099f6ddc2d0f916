"""Which index drives a page (``driven_page``), and pages merged from several index
walks (``union_page``, ``union_keyset_page``).

The knobs (``GATHER_MAX``, ``WALK_WINDOW``, ``LARGE_SET``, and ``COUNT_CAP``) are read
from the package, ``shezhi.core.lists``, when a page is read: one place to set them.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from django.db.models import Q, QuerySet

from shezhi.core import lists as knobs  # the package: its knobs, read at call time

from .counts import Count, capped_count, capped_counts
from .cursors import _reverse, after_q, decode_cursor, encode_cursor
from .pages import Page
from .sql import Among, among, unindexed

# Which index drives a page

# A set of at most this many rows is gathered and sorted (a few milliseconds);
# a larger one is walked in the order's index, which stops after the page.
GATHER_MAX = 5000
# A walk first looks at this many rows of the order's index (more for a deep offset).
WALK_WINDOW = 2000
# Sets are sized up to this many rows to choose the cheaper way where filters meet
# rarely (see driven_page); a larger set is never gathered.
LARGE_SET = 50_000


def _all(qs: Sequence[Q]) -> Q:
    out = Q()
    for q in qs:
        out &= q
    return out


def _size(manager, q: Q, reach: int) -> int:
    """How many rows ``q`` selects, up to ``reach`` (``reach + 1``: more), or more than
    that: an OR is sized arm by arm and the sizes added (the arms may overlap).

    Only the choice of the cheaper way reads it, and a size too large only makes a set
    look less small. Each arm alone is read from its index (a path range, a
    department's partial index, ids); the OR as one statement is not, on PostgreSQL: it
    visits every row in the table to count them (a street's scope sized to 50,000:
    40,000 pages read, 300-600 ms).
    """
    if q.connector == Q.OR and not q.negated and len(q.children) > 1:
        arms = [child if isinstance(child, Q) else Q(child) for child in q.children]
        # One statement still: each arm's capped count a scalar subquery of it.
        counts = capped_counts({str(i): manager.filter(arm) for i, arm in enumerate(arms)}, reach)
        return min(sum(n.value + n.capped for n in counts.values()), reach + 1)
    n = capped_count(manager.filter(q), max(reach, 0))
    return n.value + n.capped


def _reads_subquery(q) -> bool:
    """``q`` holds an ``among`` (ids from a subquery)."""
    if isinstance(q, Among):
        return True
    return isinstance(q, Q) and any(_reads_subquery(child) for child in q.children)


def settled(model, q: Q, reach: int | None = None) -> Q:
    """``q`` (an OR, e.g. a scope met with an area by ``within``) with its arms that
    read ids from a subquery (``among``: what I follow, what summoned my department)
    read once, together, into their ids when they hold at most ``reach`` rows
    (``GATHER_MAX``): the same rows. A page reads its set several times (sized,
    counted, its keys), and each time such an arm met with a range looked up every
    id of the subquery (a department's 3,600 summoned events, for the hundred in a
    community: 17 ms a statement on PostgreSQL). One query; none when no arm reads
    a subquery, and ``q`` as it is when they hold more."""
    reach = knobs.GATHER_MAX if reach is None else reach
    if q.connector != Q.OR or q.negated or len(q.children) < 2:
        arms = [q]
    else:
        arms = [child if isinstance(child, Q) else Q(child) for child in q.children]
    reading = [arm for arm in arms if _reads_subquery(arm)]
    if not reading:
        return q
    rest = [arm for arm in arms if not _reads_subquery(arm)]
    ids = list(
        model._default_manager.filter(_any(reading))
        .order_by()
        .values_list("pk", flat=True)[: reach + 1]
    )
    if len(ids) > reach:
        return q
    return _any([Q(pk__in=sorted(ids)), *rest])


def _any(qs: Sequence[Q]) -> Q:
    out = qs[0]
    for q in qs[1:]:
        out |= q
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
    cursor does not). Queries: one per set sized, the page's keys
    then its rows (a walk: one more for its window's edge), and the count (none with
    ``count=False``: ``page.count`` is then None).
    """
    cap = knobs.COUNT_CAP if cap is None else cap
    plan = _Plan(qs, sets, walk or Q(), rest or Q(), order, limit, offset, cap, count)
    plan.bound = decode_cursor(after, len(order), field_name=field_name) if after else None
    plan.after = after
    for candidate in plan.sets:
        if _size(plan.model._default_manager, candidate, knobs.GATHER_MAX) <= knobs.GATHER_MAX:
            return plan.gathered(plan.model._default_manager.filter(candidate))
    if not plan.sets and not plan.rest:
        # Nothing is checked on the walk's rows: its page is the page, however deep the
        # offset, without a window first.
        page = plan.walked()
    else:
        # (A window of offset + 2,000 rows was tried for ``offset=100000``: its edge was
        # cheaper, but PostgreSQL then sorted the 100,000 rows it bounds instead of
        # walking the index; 108 -> 180 ms for the page's keys. Kept four times.)
        page = plan.walked(depth=max(knobs.WALK_WINDOW, 4 * (offset + limit + 1)))
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
        # ``among``: on PostgreSQL the pool's ids as an array (an InitPlan) looked up by
        # the primary key. As ``IN (SELECT …)`` it was a join the planner could drive
        # from another set of the filters instead (a community's 18,000 events read to
        # meet a department's 1,300 in it: 900 ms).
        matching = self.model._default_manager.filter(
            among("pk", pool.order_by().values("pk"))
        ).filter(unindexed(self.everything))
        total = Count(matching.count()) if self.want_count else None
        return self._page(self._keys(self._bounded(matching, unindexed)), total)

    def _walk(self, *, bounded: bool = True) -> QuerySet:
        """The rows in the order's index with ``walk``, the rest checked on each."""
        walked = self.qs.filter(self.walk).filter(unindexed(_all(self.sets) & self.rest))
        return self._bounded(walked) if bounded else walked

    def _window(self, walked: QuerySet, depth: int, *, bounded: bool = True) -> QuerySet | None:
        """``walked`` over the first ``depth`` rows of the walk, and the rows tied with
        the last of them on the order's first key (None: it has fewer).

        The edge is sought on the first key alone (the cursor's bound too): a window to
        the first key's edge is still a head of the order, and the first key is what
        the walk's index holds. Ordered by the id as well, PostgreSQL read the table for
        the ids of every row it skipped: one state's 80,000 rows, 1.3 s.
        """
        first = self.order[:1]
        stream = self.model._default_manager.filter(self.walk)
        if bounded and self.bound is not None:
            stream = stream.filter(after_q(first, self.bound[:1], inclusive=True))
        edges = list(
            stream.order_by(*first).values_list(self.keys[0], flat=True)[depth - 1 : depth]
        )
        if not edges:
            return None
        return walked.filter(after_q(_reverse(first), edges[:1], inclusive=True))

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
                sizes.append((_size(self.model._default_manager, q, reach), q))
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
        if alone and self.cap <= knobs.GATHER_MAX:
            return Count(self.cap, capped=True)
        seen = self._in_window() or 0
        if seen > self.cap:
            return Count(self.cap, capped=True)
        if seen:
            # Twice the rows the window's share says hold the cap, from the top.
            depth = 2 * (self.cap + 1) * self.depth // seen
            if depth <= knobs.LARGE_SET:
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


def _merged_keys(streams: Sequence[QuerySet], order: Sequence[str], reach: int) -> list[tuple]:
    """Each stream's first ``reach`` key tuples (ending in the pk) in ``order``, read
    where an index walks it, merged: the disjoint union's first ``reach`` in ``order``."""
    directions = {o.startswith("-") for o in order}
    if len(directions) != 1:
        raise ValueError("union_page merges keys that all run the same way")
    keys = [o.lstrip("-") for o in order]
    heads = [list(stream.order_by(*order).values_list(*keys, "pk")[:reach]) for stream in streams]
    merged = heapq.merge(*heads, key=lambda row: row[:-1], reverse=directions.pop())
    return list(merged)[:reach]


def union_page(
    qs: QuerySet, streams: Sequence[QuerySet], *, order: Sequence[str], limit: int, offset: int = 0
) -> list:
    """Rows ``offset`` to ``offset + limit`` of the disjoint union of ``streams``, in
    ``order`` (every key the same way): each stream's first ``offset + limit`` keys,
    read where an index walks it, merged here; the page's rows then come from ``qs``
    in one query. For a list an OR of two indexes would make the database sort."""
    found = _merged_keys(streams, order, offset + limit)
    return _rows_of(qs, found[offset : offset + limit], order)


def union_keyset_page(
    qs: QuerySet,
    streams: Sequence[QuerySet],
    *,
    order: Sequence[str],
    limit: int,
    after: str | None = None,
    offset: int = 0,
    field_name: str = "after",
    count: Count | None = None,
) -> Page:
    """``union_page`` as a ``Page`` after the cursor ``after`` (each stream walked from
    it) or from ``offset``, with the cursors ``driven_page`` gives (the order's keys);
    ``count``: the caller's (a union's count is often one index's, e.g. a follower
    table's). Queries: one per stream, then the page's rows."""
    if after:
        bound = decode_cursor(after, len(order), field_name=field_name)
        streams = [stream.filter(after_q(order, bound)) for stream in streams]
        offset = 0
    found = _merged_keys(streams, order, offset + limit + 1)[offset:]
    more = len(found) > limit
    found = found[:limit]
    return Page(
        items=_rows_of(qs, found, order),
        next_cursor=encode_cursor(list(found[-1][:-1])) if found and more else None,
        prev_cursor=encode_cursor(list(found[0][:-1])) if found and after else None,
        count=count,
    )
