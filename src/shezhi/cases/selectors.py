"""Reads of case studies: the public library (published, everywhere), the staff's own
scope (every state), and search through core's full-text index."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from shezhi.core import search as fulltext

from . import permissions
from .models import Case

DOC_TYPE = "case"


def published() -> QuerySet[Case]:
    """The public library: every published case, newest first."""
    return Case.objects.filter(status=Case.Status.PUBLISHED).select_related("area")


def managed(user) -> QuerySet[Case]:
    """The cases ``user`` writes, reviews and publishes (every state), in their scope."""
    if not permissions.can(user, "write"):
        return Case.objects.none()
    q = permissions.scope(user, "write")
    qs = Case.objects.select_related("area")
    return qs if q is None else qs.filter(q)


def readable(user) -> QuerySet[Case]:
    """Published cases, and the ones ``user`` manages."""
    qs = published()
    if permissions.can(user, "write"):
        q = permissions.scope(user, "write")
        qs = Case.objects.select_related("area").filter(
            Q(status=Case.Status.PUBLISHED) | (q if q is not None else Q())
        )
    return qs


def get_public(pk) -> Case:
    case = published().filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def get_readable(user, pk) -> Case:
    """A published case, or one in ``user``'s scope of work; else 404."""
    case = readable(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def get_managed(user, pk) -> Case:
    case = managed(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def with_tag(qs: QuerySet[Case], tag: str) -> QuerySet[Case]:
    tag = (tag or "").strip()
    return qs.filter(tags__contains=f" {tag} ") if tag else qs


def search(q: str, *, limit: int = 20, after: str | None = None, paths=None):
    """Published cases holding every word of ``q`` (core.search's rule), best first:
    ``(cases, next_cursor)``."""
    found = fulltext.search(q, doc_types=[DOC_TYPE], paths=paths, limit=limit, after=after)
    ids = [int(h.object_id) for h in found.hits]
    by_id = published().in_bulk(ids)
    snippets = {int(h.object_id): h.snippet for h in found.hits}
    cases = []
    for pk in ids:
        if pk in by_id:
            case = by_id[pk]
            case.snippet = snippets[pk]
            cases.append(case)
    return cases, found.next_cursor


def popular_tags(limit: int = 16) -> list[str]:
    """The tags of published cases, most used first (for the library's chips)."""
    counts: dict[str, int] = {}
    for tags in published().values_list("tags", flat=True)[:2000]:
        for t in tags.split():
            counts[t] = counts.get(t, 0) + 1
    return [t for t, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
