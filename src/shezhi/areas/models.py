"""The territory: one tree of districts, streets, communities, grids and micro-grids."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from shezhi.core.jobs import UploadJob

from . import constants as c


class Area(MP_Node):
    """A governance unit with a boundary.

    The materialised path (treebeard) makes "everything in this area" a prefix
    filter on ``path``, which every scoped query in the platform relies on.
    """

    class Level(models.TextChoices):
        DISTRICT = c.DISTRICT, _("District")
        STREET = c.STREET, _("Street")
        COMMUNITY = c.COMMUNITY, _("Community (total grid)")
        GENERAL_GRID = c.GENERAL_GRID, _("General grid")
        MICRO_GRID = c.MICRO_GRID, _("Micro-grid")

    class Kind(models.TextChoices):
        GENERAL = c.KIND_GENERAL, _("General")
        DEDICATED = c.KIND_DEDICATED, _("Dedicated")

    class DedicatedType(models.TextChoices):
        SCHOOL = "school", _("School")
        ENTERPRISE = "enterprise", _("Enterprise")
        HOSPITAL = "hospital", _("Hospital")
        MARKET = "market", _("Market")
        CONSTRUCTION_SITE = "construction_site", _("Construction site")
        GOVERNMENT_UNIT = "government_unit", _("Government unit")
        OTHER = "other", _("Other")

    steplen = 4
    # Figures derived from the boundary on every write (services.derive_geometry_fields).
    DERIVED_FIELDS = (
        "centroid_lng",
        "centroid_lat",
        "min_lng",
        "min_lat",
        "max_lng",
        "max_lat",
        "area_m2",
    )

    code = models.CharField(_("code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    dedicated_type = models.CharField(
        _("dedicated type"), max_length=24, choices=DedicatedType.choices, blank=True
    )
    # GeoJSON Polygon or MultiPolygon, WGS84 [lng, lat], kept exactly as imported
    # so that an export imports back identically.
    boundary = models.JSONField(_("boundary"))
    # Derived from the boundary on every write (services.derive_geometry_fields).
    centroid_lng = models.FloatField(_("centroid longitude"))
    centroid_lat = models.FloatField(_("centroid latitude"))
    min_lng = models.FloatField()
    min_lat = models.FloatField()
    max_lng = models.FloatField()
    max_lat = models.FloatField()
    area_m2 = models.FloatField(_("area (m²)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=c.MICRO_GRID, kind__in=c.KINDS)
                | (~models.Q(level=c.MICRO_GRID) & models.Q(kind="")),
                name="area_kind_only_for_micro_grids",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=c.KIND_DEDICATED, dedicated_type__in=c.DEDICATED_TYPES)
                | (~models.Q(kind=c.KIND_DEDICATED) & models.Q(dedicated_type="")),
                name="area_dedicated_type_only_for_dedicated",
            ),
        ]
        indexes = [models.Index(fields=["level", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def lineage(path: str) -> list[str]:
        """The paths from the root down to ``path``, itself included: "this area or one
        above it" is ``path__in=Area.lineage(path)``."""
        step = Area.steplen
        return [path[:i] for i in range(step, len(path) + 1, step)]

    @property
    def parent_code(self) -> str | None:
        return self.code[:-3] if self.level != c.DISTRICT else None

    @property
    def is_dedicated(self) -> bool:
        return self.kind == c.KIND_DEDICATED


class BoundaryRevision(models.Model):
    """A single counter bumped whenever any boundary changes.

    Each process keeps its own spatial index and rebuilds it when the counter
    moves, so several app servers stay consistent without a broker.
    """

    revision = models.BigIntegerField(default=0)
    # A fresh random token with every bump: a counter alone could repeat after a
    # rolled-back transaction or a restored backup and leave an index stale.
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("boundary revision")

    def __str__(self) -> str:
        return f"#{self.revision}"


class AreaImport(UploadJob):
    """An import run from the web back office: the file, its outcome, its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        VALIDATED = "validated", _("Validated (nothing written)")
        REJECTED = "rejected", _("Rejected (nothing written)")
        FAILED = "failed", _("Failed (nothing written)")

    file = models.FileField(_("file"), upload_to="area_imports/%Y/%m/")
    validate_only = models.BooleanField(_("validate only"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # report: {"errors": [...], "warnings": [...], "counts": {...}, "created": n, "updated": n}

    class Meta(UploadJob.Meta):
        verbose_name = _("area import")
        verbose_name_plural = _("area imports")
