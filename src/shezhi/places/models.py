"""Places residents go to for help: the service posts (微阵地)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PublicPlace(models.Model):
    """What a service post and a service hub share: a public place with an address, a
    point (WGS84), weekly opening hours (``hours.py``'s form: ``{"mon": [["08:30",
    "12:00"], …]}``, local time; a day without an entry is closed), services and a
    description, shown to the public while active."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"))
    lat = models.FloatField(_("latitude (WGS84)"))
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)
    description = models.TextField(
        pgettext_lazy("free text about a thing", "description"), blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ServicePost(PublicPlace):
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
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_for_posts",
        verbose_name=_("responsible person"),
    )
    phone = models.CharField(_("public phone of the post"), max_length=20, blank=True)

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


class ServiceHub(PublicPlace):
    """A service hub of the four-level 社治港: 社治港湾 (district), 社治港口 (street),
    社治码头 (community) and 小区服务集装箱 (compound).

    A model beside ``ServicePost``, not a tier on it: a hub *serves* a node of the
    tree (its ``area``: the district, street or community; for a compound hub its
    compound, with ``area`` the compound's community), while a post is *located* to
    the micro-grid its point lies in. One hub per area or compound is a database
    constraint here; on posts it would need nullable tiers, conditional constraints
    and "not a hub" in every post query. A hub has what a post has (address, point,
    opening hours in ``hours.py``'s form, services, public phone) and what a post has
    not: a tier, a duty roster (``HubDuty``), the posts of its subtree and its child
    hubs (the next tier inside its area).
    """

    class Tier(models.TextChoices):
        DISTRICT = "district", _("District hub (社治港湾)")
        STREET = "street", _("Street hub (社治港口)")
        COMMUNITY = "community", _("Community hub (社治码头)")
        COMPOUND = "compound", _("Compound hub (小区服务集装箱)")

    # Tier → its rank (1 top): lists sort a subtree's hubs top-down by (area_path, rank).
    RANKS = {"district": 1, "street": 2, "community": 3, "compound": 4}

    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    rank = models.PositiveSmallIntegerField(editable=False)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="service_hubs", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    compound = models.ForeignKey(
        "households.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_hubs",
        verbose_name=_("compound"),
    )
    phone = models.CharField(_("public phone of the hub"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("service hub")
        verbose_name_plural = _("service hubs")
        ordering = ["area_path", "rank", "id"]
        indexes = [models.Index(fields=["area_path", "rank", "id"], name="hub_path_rank_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(compound__isnull=True), name="one_hub_per_area"
            ),
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(compound__isnull=False),
                name="one_hub_per_compound",
            ),
            models.CheckConstraint(
                condition=Q(tier="compound", compound__isnull=False)
                | (~Q(tier="compound") & Q(compound__isnull=True)),
                name="hub_compound_only_and_always_for_compound_tier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.rank = self.RANKS.get(self.tier, 9)
        super().save(*args, **kwargs)

    @property
    def target(self):
        """What the hub serves, as figure providers get it: its compound or its area."""
        return self.compound if self.compound_id else self.area

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path, "area_code": self.area.code}


class HubDuty(models.Model):
    """One person of the workforce (``people.Person``) on a hub's duty roster, on the
    weekdays ``days`` (``hours.DAYS`` keys): today's roster is the rows naming today.

    The person's record lies inside the hub's area (a compound hub: its community).
    The public page shows the name and the duty, never a phone or an ID number.
    """

    hub = models.ForeignKey(ServiceHub, on_delete=models.CASCADE, related_name="duties")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="hub_duties")
    days = models.JSONField(_("days on duty"), default=list)
    duty = models.CharField(_("duty"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("hub duty")
        verbose_name_plural = _("hub duties")
        ordering = ["hub", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "person"], name="one_duty_per_person_and_hub")
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} · {self.person_id}"
