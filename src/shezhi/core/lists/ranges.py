"""Subtrees of the area tree as ranges of materialized paths (``successor``, ``subtree_q``).

A subtree is ``path >= p AND path < successor(p)``: both SQLite and PostgreSQL answer it
from a B-tree index under any collation, where ``LIKE 'p%'`` (Django's ``startswith``)
is no index range on SQLite (its LIKE is case-insensitive) nor on PostgreSQL outside the
C collation.
"""

from __future__ import annotations

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
