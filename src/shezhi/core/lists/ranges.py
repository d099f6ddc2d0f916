"""Subtrees of the area tree as ranges of materialized paths (``successor``, ``subtree_q``).

A subtree is ``path >= p AND path < successor(p)``: both SQLite and PostgreSQL answer it
from a B-tree index under any collation, where ``LIKE 'p%'`` (Django's ``startswith``)
is no index range on SQLite (its LIKE is case-insensitive) nor on PostgreSQL outside the
C collation.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

# treebeard's default alphabet (``MP_Node.alphabet``): the characters of every path.
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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


def _subtree_path(q: Q) -> tuple[str, str] | None:
    """(field, path) of a ``subtree_q`` filter, or None when ``q`` is anything else."""
    if q.connector != Q.AND or q.negated or not all(isinstance(c, tuple) for c in q.children):
        return None
    lookups = dict(q.children)
    if len(lookups) != len(q.children):
        return None
    low = [(k[: -len("__gte")], v) for k, v in lookups.items() if k.endswith("__gte")]
    if len(low) != 1 or not isinstance(low[0][1], str):
        return None
    field, path = low[0]
    return (field, path) if subtree_q(field, path) == q else None


def within(scope: Q, narrowing: Q) -> Q:
    """``scope & narrowing``, written arm by arm when ``scope`` is an OR: ``(a & n) | (b &
    n)``. The same rows; but each arm is then one index's range (a department's events
    in a community: its ``(handler_department, area_path)`` index), so the set can be
    sized and read arm by arm (``driven_page``), where ``(a | b) & n`` leaves the
    planner to read the whole of ``a`` or the whole of ``n``.

    Two subtrees of the same path meet in the deeper one (or nowhere): an arm that is a
    district's range narrowed to a community is the community's range, not both ranges
    (SQLite walks one of two ranges on a column, and took the district's)."""
    if not narrowing:
        return scope
    if scope.connector != Q.OR or scope.negated or len(scope.children) < 2:
        arms = [scope]
    else:
        arms = [child if isinstance(child, Q) else Q(child) for child in scope.children]
    inner = _subtree_path(narrowing)
    out = []
    for arm in arms:
        outer = _subtree_path(arm)
        if inner is None or outer is None or inner[0] != outer[0]:
            out.append(arm & narrowing)
        elif inner[1].startswith(outer[1]):
            out.append(narrowing)
        elif outer[1].startswith(inner[1]):
            out.append(arm)
        # else: disjoint subtrees, no rows
    if not out:
        return Q(pk__in=[])
    return reduce(or_, out)
