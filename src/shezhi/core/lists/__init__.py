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
  stops after a page. A scope met with an area is given as ``within(scope, area)``:
  the area inside each arm of the scope's OR, so that each arm is one index's range
  (a department's events in a community). ``among`` writes "id in (subquery)" as
  both planners use it inside an OR (PostgreSQL does not index ``IN (SELECT …)``
  there); ``unindexed`` keeps SQLite's planner off an index it would otherwise pick
  for a term (SQLite's documented unary ``+``; PostgreSQL plans from its statistics
  and gets the plain column).

And one rule for the rows themselves: whatever a row shows (its area's name, its
buttons, "me too") is fetched for the whole page in a fixed number of queries, never
per row. ``tests/test_list_queries.py`` counts a page's queries at 5 rows and at 50.

The package's modules: ``ranges`` (subtrees as ranges, ``within``), ``counts`` (capped counts),
``cursors`` (keyset tokens and the filter after one), ``pages`` (keyset, numbered and
``Pageable`` pages), ``sql`` (``among``, ``unindexed``), ``driven`` (``driven_page``,
``union_page``, ``union_keyset_page``). Import from the package:
``from shezhi.core.lists import page_of``.
"""

from __future__ import annotations

from .counts import COUNT_CAP, Count, capped_count, capped_counts
from .cursors import after_q, cursor_of, decode_cursor, encode_cursor
from .driven import (
    GATHER_MAX,
    LARGE_SET,
    WALK_WINDOW,
    driven_page,
    settled,
    union_keyset_page,
    union_page,
)
from .pages import (
    CappedPaginator,
    CursorPage,
    NumberedPage,
    Page,
    Pageable,
    cursor_page,
    keyset_page,
    page_of,
)
from .ranges import PATH_ALPHABET, subtree_q, successor, within
from .sql import Among, Unindexed, among, unindexed

__all__ = [
    "COUNT_CAP",
    "GATHER_MAX",
    "LARGE_SET",
    "PATH_ALPHABET",
    "WALK_WINDOW",
    "Among",
    "CappedPaginator",
    "Count",
    "CursorPage",
    "NumberedPage",
    "Page",
    "Pageable",
    "Unindexed",
    "after_q",
    "among",
    "capped_count",
    "capped_counts",
    "cursor_of",
    "cursor_page",
    "decode_cursor",
    "driven_page",
    "encode_cursor",
    "keyset_page",
    "page_of",
    "settled",
    "subtree_q",
    "successor",
    "unindexed",
    "union_keyset_page",
    "union_page",
    "within",
]
