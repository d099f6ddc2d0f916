"""Needs-list items in the Chinese full-text search (``core.search``), beside the cases.

An item is indexed when it is curated (unpublished until its list is) and marked
published with its list, so the public's search finds only what the public page shows.
The item's title and description are indexed; who asked never is.
"""

from __future__ import annotations

from django.urls import reverse

from shezhi.core import search

from .models import NeedItem

DOC_TYPE = "list_item"
# A community's list holds tens of items; a search finds at most this many.
FOUND_MAX = 500


def document(item: NeedItem, *, published: bool) -> dict:
    return {
        "doc_type": DOC_TYPE,
        "object_id": item.pk,
        "title": item.title,
        "body": item.description,
        "area_path": item.area_path,
        "url": reverse("lists:public_item", args=[item.pk]),
        "published": published,
    }


def index_item(item: NeedItem, *, published: bool) -> None:
    search.index_document(**document(item, published=published))


def matching_ids(q: str, area_path: str) -> list[int]:
    """The ids of the published items of the area's subtree holding every word of ``q``
    (``core.search``'s rule: whole words, no hits inside a word), best first."""
    found: list[int] = []
    after = None
    while len(found) < FOUND_MAX:
        results = search.search(
            q, paths=[area_path], doc_types=[DOC_TYPE], limit=search.LIMIT_MAX, after=after
        )
        found += [int(h.object_id) for h in results.hits]
        after = results.next_cursor
        if after is None:
            break
    return found[:FOUND_MAX]
