"""Case studies (典型案例, issue 16 §5): what a finished piece of work taught, written up.

- A case is written **from a source**: a finished campaign, a needs-list item, a
  micro-project, an organisation, a demand group … any row of any app, held by a
  generic relation (``source``) so no app's model is imported here. What the source
  was is also kept as text (``source_label``), so a case outlives its source.
- ``figures`` is the **snapshot** of the source's figures at writing time (a list of
  ``{"label", "value", "unit"}``), filled in by the source's ``figures_fn`` (see
  ``hooks.register_case_source``): a case tells what the platform counted then, and
  does not change when the source moves on.
- Life: draft → reviewed → published, each step with who and when; a published case is
  public (anyone may read it, signed in or not) and is in the full-text search; taking
  it back (unpublish) returns it to draft and out of the search.
- A case names no resident: it is public text. Staff write it about work, not people.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    background = models.TextField(_("background"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    results = models.TextField(_("results"), blank=True)
    figures = models.JSONField(_("figures"), default=list, blank=True)
    # Tags as " 加装电梯 老旧小区改造 ": space-bounded, so one tag is a plain
    # ``contains`` filter on both databases.
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("written from"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="case_path_idx"),
            models.Index(fields=["status", "id"], name="case_status_idx"),
            models.Index(fields=["source_type", "source_id"], name="case_source_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a case study")
        verbose_name_plural = _("photos of case studies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or f"{self.case_id}/{self.pk}"
