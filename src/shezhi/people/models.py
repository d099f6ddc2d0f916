"""The grid workforce: who serves where, with what history, and who holds which role where.

Phones and ID numbers are stored encrypted (``EncryptedTextField``); the
``*_index`` columns hold a keyed HMAC for exact lookups and duplicate checks,
the ``*_last4`` columns what a masked display may show.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.core import choices
from shezhi.core.models import Role
from shezhi.core.personal_data import EncryptedTextField


class Department(models.Model):
    """A department (城管, 住建, 市场监管 …) of a district, and the areas it covers."""

    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level": "district"},
        verbose_name=_("district"),
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    areas = models.ManyToManyField(
        "areas.Area", related_name="covering_departments", blank=True, verbose_name=_("areas")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="unique_department_code")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        # Kept with each audit entry so the log can be scoped even after a deletion.
        return {"area_path": self.district.path, "area_code": self.district.code}


class Person(models.Model):
    class Category(models.TextChoices):
        FULL_TIME_GRID_WORKER = "full_time_grid_worker", _("Full-time grid worker")
        MICRO_GRID_WORKER = "micro_grid_worker", _("Micro-grid worker")
        EMBEDDED_CADRE = "embedded_cadre", _("Party cadre of an organ, enterprise or institution")
        STREET_CADRE = "street_cadre", _("Street cadre")
        COMMUNITY_COMMITTEE = "community_committee", _("Community committee member")
        OTHER = "other", _("Other")

    class ForceType(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional")
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")
        SERVICE = "service", _("Service")
        SELF_GOVERNANCE = "self_governance", _("Self-governance")

    Gender = choices.Sex  # one definition with the household base's (``core.choices``)

    # The area the record belongs to: every scoped list of people filters on it.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="people", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    force_type = models.CharField(_("force type"), max_length=16, choices=ForceType.choices)
    party_member = models.BooleanField(_("party member"), default=False)
    veteran = models.BooleanField(_("veteran"), default=False)
    group_leader = models.BooleanField(_("group leader (building or unit head)"), default=False)
    employer = models.CharField(_("unit of employment"), max_length=100, blank=True)
    lives_in = models.ForeignKey(
        "areas.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("lives in"),
    )
    works_in = models.ForeignKey(
        "areas.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("works in"),
    )
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("sign-in"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["area", "category"])]
        constraints = [
            # One record per resident ID number (blank ones aside).
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="unique_person_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"area_path": self.area.path, "area_code": self.area.code}


class Assignment(models.Model):
    """Who serves in which area, from when to when; ended rows are the history."""

    class Role(models.TextChoices):
        RESPONSIBLE_WORKER = "responsible_worker", _("Responsible micro-grid worker")
        MEMBER = "member", _("Micro-grid worker")
        EMBEDDED_CADRE = "embedded_cadre", _("Embedded cadre")
        FULL_TIME_WORKER = "full_time_worker", _("Full-time grid worker")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("person")
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("area"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_on", "pk"]
        indexes = [models.Index(fields=["area", "role", "ended_on"])]
        constraints = [
            # A micro-grid has exactly one responsible worker at a time.
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(role="responsible_worker", ended_on__isnull=True),
                name="one_responsible_worker_per_micro_grid",
            ),
            # A person holds one role in one area once at a time.
            models.UniqueConstraint(
                fields=["person", "area", "role"],
                condition=Q(ended_on__isnull=True),
                name="unique_current_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.area}"

    @property
    def current(self) -> bool:
        return self.ended_on is None

    def get_additional_data(self) -> dict:
        return {"area_path": self.area.path, "area_code": self.area.code}


class RoleAssignment(models.Model):
    """A user holds ``role`` over the whole subtree of ``area``.

    ``shezhi.core.scope`` reads these through the source ``PeopleConfig.ready`` registers;
    the role groups that name them are ``shezhi.core.roles``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("area"),
    )
    # Department staff act for one department (城管, 住建 …) of the area's district.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        # The table core created when it held this model: moved without a copy
        # (migration people 0003).
        db_table = "core_roleassignment"
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        # Who holds a role in these areas (the grid workers over a queue's events, for
        # its dispatch forms): one probe per area, where the area's index read every
        # resident's role there and PostgreSQL scanned the table instead (127,000 rows
        # at a million events a year: 6.6 -> 0.6 ms).
        indexes = [models.Index(fields=["role", "area"], name="roleassignment_role_area_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="unique_role_per_area"),
            models.CheckConstraint(
                condition=models.Q(role="department_staff", department__isnull=False)
                | (~models.Q(role="department_staff") & models.Q(department__isnull=True)),
                name="department_only_and_always_for_department_staff",
                violation_error_message=_(
                    "Department staff must name their department; other roles must not."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"

    def clean(self) -> None:
        if (
            self.department_id
            and self.area_id
            and not self.area.path.startswith(self.department.district.path)
        ):
            raise ValidationError({"department": _("The department belongs to another district.")})

    def get_additional_data(self) -> dict:
        # Kept with each audit entry so the log can be scoped even after a deletion.
        return {"area_path": self.area.path, "area_code": self.area.code}


from .roster_models import RosterImport  # noqa: E402,F401
