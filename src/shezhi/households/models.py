"""The household base (人房一体): compounds, buildings, households and the residents in them.

Every place is located in the area tree: a compound belongs to a community, a building
(and so each of its households) to the micro-grid its point is located to. The
``area_path`` columns copy that area's materialised path, so every "in this area" list
is a path range on an indexed column (``shezhi.core.lists``).

Personal data follow ``people.Person``: phones and ID numbers are stored encrypted
(``EncryptedTextField``) beside a blind index (exact look-ups, duplicates) and the last
four characters (masked display). The birth date is encrypted too: with the last four
characters of the ID number it would give the whole number back (only the region code
would be left to guess); the year of birth stays readable for age figures. Sensitive
tags (``tags.SENSITIVE``) are encrypted; the plain ones are a delimited text.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.core import choices
from shezhi.core.personal_data import EncryptedTextField

from . import tags as tagset

_DIGITS = re.compile(r"\d+")


def natural_key(*parts: str) -> str:
    """A text that sorts as people read numbers: "2" before "10", "1单元" before "2单元"."""
    return "|".join(_DIGITS.sub(lambda m: m.group().zfill(8), p or "") for p in parts)[:64]


class Compound(models.Model):
    """A residential compound or courtyard (小区 / 院落) in one community."""

    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"level": "community"},
        verbose_name=_("community"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # GeoJSON Polygon or MultiPolygon, WGS84 [lng, lat], like ``areas.Area.boundary``;
    # optional (few courtyards have a surveyed outline).
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    property_company = models.CharField(
        _("property management company"), max_length=100, blank=True
    )
    # The company's service line: public, not personal data. A person's own phone goes
    # into ``property_manager_phone``, which is stored encrypted.
    property_phone = models.CharField(_("property service phone"), max_length=20, blank=True)
    property_manager_name = models.CharField(_("property manager"), max_length=50, blank=True)
    property_manager_phone = EncryptedTextField(_("property manager's phone"), blank=True)
    property_manager_phone_index = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    property_manager_phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["area_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="unique_compound_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        # Kept with each audit entry so the log can be scoped even after a deletion.
        return {"area_path": self.area_path, "area_code": self.community.code}


class Building(models.Model):
    """A building (楼栋) of a compound, located to the micro-grid its point lies in."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("compound")
    )
    number = models.CharField(_("building number"), max_length=20)
    sort_key = models.CharField(max_length=64, editable=False, default="")
    lng = models.FloatField(_("longitude (WGS84)"))
    lat = models.FloatField(_("latitude (WGS84)"))
    # Optional outline (GeoJSON Polygon, WGS84); the point is then a point inside it.
    footprint = models.JSONField(_("footprint"), null=True, blank=True)
    micro_grid = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("micro-grid"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    floors = models.PositiveSmallIntegerField(
        _("floors"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    units = models.PositiveSmallIntegerField(
        _("units (entrances)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["compound", "sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="unique_building_number")
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.label}"

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.number)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """ "3栋" for a bare number; a number with its own word ("A座") as it is."""
        if self.number.isdigit():
            return _("building %(number)s") % {"number": self.number}
        return self.number

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path, "area_code": self.micro_grid.code}


class Household(models.Model):
    """A household (户): one dwelling or shop of a building, by unit and room."""

    class Kind(models.TextChoices):
        OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
        RENTED = "rented", _("Rented")
        VACANT = "vacant", _("Vacant")
        SHOP = "shop", _("Shop")
        OTHER = "other", _("Other")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    # Blank for a building without separate units (entrances).
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=20)
    sort_key = models.CharField(max_length=64, editable=False, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    # The building's micro-grid, copied so every scoped list is one indexed range.
    micro_grid = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("micro-grid"),
    )
    area_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building", "sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="unique_household_room"
            )
        ]
        indexes = [models.Index(fields=["area_path", "id"], name="households_path_idx")]

    def __str__(self) -> str:
        return f"{self.building} {self.place_label}"

    def save(self, *args, **kwargs):
        self.sort_key = natural_key(self.unit, self.room)
        super().save(*args, **kwargs)

    @property
    def place_label(self) -> str:
        """Unit and room as people say them: "2单元 301" (room only without units)."""
        if self.unit:
            return _("unit %(unit)s, room %(room)s") % {"unit": self.unit, "room": self.room}
        return _("room %(room)s") % {"room": self.room}

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path, "area_code": self.micro_grid.code}


class Resident(models.Model):
    """A person living in (or registered at) a household."""

    Sex = choices.Sex  # one definition with the workforce's ``Person.Gender`` (``core.choices``)

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        TENANT = "tenant", _("Tenant")
        OTHER = "other", _("Other relation")

    class Residence(models.TextChoices):
        REGISTERED = "registered", _("Registered (户籍)")
        PERMANENT = "permanent", _("Permanent resident (常住)")
        FLOATING = "floating", _("Floating (流动)")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    # "YYYY-MM-DD", encrypted (see the module docstring); the year stays readable.
    birth_date = EncryptedTextField(_("birth date"), blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, editable=False)
    relation = models.CharField(
        _("relation to the head of household"),
        max_length=16,
        choices=Relation.choices,
        default=Relation.OTHER,
    )
    residence = models.CharField(
        _("residence status"),
        max_length=16,
        choices=Residence.choices,
        default=Residence.REGISTERED,
    )
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    # Plain tags as ",code,code," (``tags.encode``); sensitive ones encrypted.
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    sensitive_tags = EncryptedTextField(_("sensitive tags"), blank=True)
    # When the sensitive tags last changed: the audit log shows that (and who), not what.
    sensitive_changed_at = models.DateTimeField(
        _("sensitive tags changed at"), null=True, blank=True, editable=False
    )
    # Foreign keys kept unique by constraints, not one-to-one fields: a reverse one-to-one
    # accessor on Person (or User) would cost every audited save of one a query.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_residents",
        verbose_name=_("workforce record"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_residents",
        verbose_name=_("sign-in"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "pk"]
        constraints = [
            # One resident per ID number (blank ones aside).
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="unique_resident_id_number",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="one_head_per_household",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(person__isnull=False), name="one_resident_per_person"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="one_resident_per_sign_in"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return tagset.decode(self.tags)

    def get_additional_data(self) -> dict:
        household = self.household
        return {"area_path": household.area_path, "area_code": household.micro_grid.code}


class ResidentMove(models.Model):
    """A resident's move from one household to another; the rows are the history."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="moves", verbose_name=_("resident")
    )
    from_household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from household"),
    )
    to_household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to household"),
    )
    # The households' places at the time (kept if a household is later removed).
    from_path = models.CharField(max_length=255, editable=False)
    to_path = models.CharField(max_length=255, editable=False)
    from_label = models.CharField(_("from"), max_length=200, editable=False)
    to_label = models.CharField(_("to"), max_length=200, editable=False)
    moved_on = models.DateField(_("moved on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident move")
        verbose_name_plural = _("resident moves")
        ordering = ["-moved_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.resident} · {self.from_label} → {self.to_label}"

    def get_additional_data(self) -> dict:
        return {"area_path": self.to_path}


class TagCount(models.Model):
    """How many residents of a micro-grid carry a tag: the figures read-only roles get.

    Derived, never edited by hand: the services recount a micro-grid's rows in the
    transaction that changes its residents (``services.recount``). Counts of sensitive
    tags live here too, so the overview needs no decryption; no row names a person.
    """

    micro_grid = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("micro-grid")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    tag = models.CharField(_("tag"), max_length=32, choices=tagset.Tag.choices)
    count = models.PositiveIntegerField(_("residents"), default=0)

    class Meta:
        verbose_name = _("tag count")
        verbose_name_plural = _("tag counts")
        constraints = [
            models.UniqueConstraint(fields=["micro_grid", "tag"], name="unique_tag_count")
        ]

    def __str__(self) -> str:
        return f"{self.tag}: {self.count}"


class BindingRequest(models.Model):
    """A signed-in resident's request to be bound to their household (issue 15 §5).

    The resident names the household (compound → building → unit and room) and
    themselves: their name and the last four characters of their ID number (or the whole
    number, of which only the last four are kept). The request is matched at once
    against that household's residents (``resident``, or none: the resident is not told
    which, so the form is no oracle for who lives where); the micro-grid worker of the
    household decides. Confirming links ``Resident.user``; refusing needs a reason.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the grid worker")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="household_binding_requests",
        verbose_name=_("sign-in"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="binding_requests",
        verbose_name=_("household"),
    )
    # The household's micro-grid path, copied: the worker's list is one indexed range.
    area_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name given"), max_length=50)
    id_last4 = models.CharField(_("ID number, last four"), max_length=4)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="binding_requests",
        verbose_name=_("matching resident"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household binding request")
        verbose_name_plural = _("household binding requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_binding_per_user"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "area_path", "created_at", "id"], name="households_binding_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.household_id} ({self.status})"

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


from .import_models import HouseholdImport  # noqa: E402,F401
