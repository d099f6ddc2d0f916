"""The searchable documents: one row per (doc_type, object_id), whatever app owns it.

``title_terms`` and ``body_terms`` hold the text segmented into words (``segment``),
space-separated. The database's own full-text index is kept in step with them by the
database itself (migration 0001): on SQLite an FTS5 table fed by triggers, on
PostgreSQL a generated ``tsvector`` column with a GIN index (``terms``: what matches)
and a small one (``rank_terms``: the title and the lead, what ranks). No Python code
writes either, so ``bulk_create`` and raw deletes keep them right too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    doc_type = models.CharField(_("document type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    area_path = models.CharField(max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    published = models.BooleanField(_("published"), default=False)
    title_terms = models.TextField(editable=False, blank=True)
    body_terms = models.TextField(editable=False, blank=True)
    # The body's first ``LEAD_WORDS`` words: what PostgreSQL ranks by (beside the title).
    lead_terms = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="searchdoc_unique")
        ]
        indexes = [models.Index(fields=["area_path"], name="searchdoc_path_idx")]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id} {self.title}"
