"""Places residents go to for help: the service posts (微阵地)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServicePost(models.Model):
    """A small physical spot where residents get help (会客厅, 党群服务站 …).

    Located to its micro-grid like every located record (``area``/``area_path``:
    the deepest area holding the point), so every "posts in this area" list is a
    subtree filter on the path.
    """

    class Type(models.TextChoices):
        LIVING_ROOM = "living_room", _("Neighbourhood living room (会客厅)")
        PARTY_SERVICE = "party_service", _("Party and public service station (党群服务站)")
        GRID_STATION = "grid_station", _("Grid work station (网格工作站)")
        VOLUNTEER = "volunteer", _("Volunteer service point (志愿服务点)")
        ELDERLY = "elderly", _("Elderly care point (养老服务点)")
        CHILDREN = "children", _("Children's corner (儿童之家)")
        MEDIATION = "mediation", _("Mediation room (调解室)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"))
    lat = models.FloatField(_("latitude (WGS84)"))
    # Weekly hours: {"mon": [["08:30", "12:00"], ["14:00", "17:30"]], …}; a day
    # without an entry is closed. Local time (settings.TIME_ZONE).
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_for_posts",
        verbose_name=_("responsible person"),
    )
    phone = models.CharField(_("public phone of the post"), max_length=20, blank=True)
    description = models.TextField(
        pgettext_lazy("free text about a thing", "description"), blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["area_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unique_service_post_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path, "area_code": self.area.code}


class ServicePostPhoto(models.Model):
    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="posts/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a service post")
        verbose_name_plural = _("photos of service posts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.post_id}/{self.pk}"
