"""Emergency operations (战时): an operation over an area, its check lines, roll-call and
hand-outs.

An operation is started on an area in emergency mode (``events.EmergencyPeriod``) and
fans out one ``CheckLine`` per household of the area (扫楼); each worker of the area
reports in (``RollCall``, 点名); supplies handed to households are ``Distribution`` rows
(安居包). ``GridTally`` holds each micro-grid's figures, kept in the transaction of each
check, so the dashboard reads a few thousand rows whatever the number of households.

Check lines copy the household's micro-grid and area path: every scoped list is an
indexed range (``core.lists.subtree_q``). No line holds personal data beyond the
worker's notes; the household is a foreign key, its residents stay in households.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shezhi.core.personal_data import EncryptedTextField


class Kind(models.TextChoices):
    FLOOD = "flood", _("Flood")
    EPIDEMIC = "epidemic", _("Epidemic")
    FIRE = "fire", _("Fire")
    POWER_CUT = "power_cut", _("Power cut")
    COLD_WAVE = "cold_wave", _("Cold wave")
    OTHER = "other", _("Other emergency")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached, all well")
    ABSENT = "absent", _("Nobody home")
    REFUSED = "refused", _("Refused")
    NEEDS_HELP = "needs_help", _("Needs help")


class Need(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    FOOD = "food", _("Food")
    TRANSPORT = "transport", _("Transport")
    SHELTER = "shelter", _("Shelter")
    ELDERLY_CARE = "elderly_care", _("Elderly care")


class Operation(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", pgettext_lazy("operation", "Running")
        STOOD_DOWN = "stood_down", pgettext_lazy("operation", "Stood down")

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    period = models.ForeignKey(
        "events.EmergencyPeriod",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("emergency period"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    instructions = models.TextField(_("instructions"), max_length=4000, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    ended_at = models.DateTimeField(_("stood down at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stood down by"),
    )
    # Fixed at the fan-out: how many households (and vulnerable ones) it must reach.
    households = models.PositiveIntegerField(_("households"), default=0, editable=False)
    vulnerable = models.PositiveIntegerField(_("vulnerable households"), default=0, editable=False)
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("emergency operation")
        verbose_name_plural = _("emergency operations")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["started_by", "request_key"],
                condition=~Q(request_key=""),
                name="operation_request_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def running(self) -> bool:
        return self.state == self.State.RUNNING

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class CheckLine(models.Model):
    """One household to check (扫楼) in one operation, and what the check found.

    ``outcome`` is blank until a check is recorded; a check is a conditional update
    (on ``version``), so two workers checking one household cannot both win.
    """

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("operation")
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    micro_grid = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("micro-grid")
    )
    area_path = models.CharField(max_length=255, editable=False)
    # 0: a household with a vulnerable resident (checked first), 1: the others.
    rank = models.PositiveSmallIntegerField(default=1, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    # Needs as ",food,medical," (empty unless the outcome is needs_help).
    needs = models.CharField(_("needs"), max_length=100, blank=True, default="")
    notes = models.CharField(_("notes"), max_length=500, blank=True, default="")
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # The first check's time (a re-check moves ``checked_at`` only): the coverage curve.
    first_checked_at = models.DateTimeField(
        _("first checked at"), null=True, blank=True, editable=False
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    # The client's key of the request that recorded the outcome: its retry records once.
    request_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    # The emergency event the need raised (events reports it through operations.hooks).
    need_event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event raised"),
    )

    class Meta:
        verbose_name = _("check line")
        verbose_name_plural = _("check lines")
        ordering = ["operation", "rank", "area_path", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "household"], name="one_line_per_household"
            )
        ]
        indexes = [
            # A worker's list: the operation's lines of a micro-grid, vulnerable first.
            models.Index(
                fields=["operation", "area_path", "rank", "id"], name="checkline_path_rank_idx"
            ),
            # The coverage curve and the report's timeline.
            models.Index(
                fields=["operation", "first_checked_at"],
                name="checkline_checked_idx",
                condition=Q(first_checked_at__isnull=False),
            ),
            # Open needs: the few lines that raised an event.
            models.Index(
                fields=["operation", "need_event"],
                name="checkline_need_idx",
                condition=Q(need_event__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation_id}/{self.household_id}: {self.outcome or '—'}"

    @property
    def need_list(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class GridTally(models.Model):
    """One micro-grid's figures in one operation (derived: the fan-out writes them, each
    first check of a line adds to them in its own transaction)."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("operation")
    )
    micro_grid = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("micro-grid")
    )
    area_path = models.CharField(max_length=255, editable=False)
    households = models.PositiveIntegerField(default=0)
    vulnerable = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    vulnerable_checked = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    needs_help = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("micro-grid tally")
        verbose_name_plural = _("micro-grid tallies")
        constraints = [
            models.UniqueConstraint(fields=["operation", "micro_grid"], name="one_tally_per_grid")
        ]
        indexes = [models.Index(fields=["operation", "area_path"], name="tally_path_idx")]

    def __str__(self) -> str:
        return f"{self.operation_id}/{self.micro_grid_id}: {self.checked}/{self.households}"


class RollCall(models.Model):
    """A worker's report in an operation (点名): on duty or unavailable, and where."""

    class Status(models.TextChoices):
        ON_DUTY = "on_duty", _("On duty")
        UNAVAILABLE = "unavailable", _("Unavailable")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="roll_calls", verbose_name=_("operation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("worker"),
    )
    # The worker's own area under the operation's (for scoped counts).
    area_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    reported_at = models.DateTimeField(_("reported at"))
    request_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("roll-call report")
        verbose_name_plural = _("roll-call reports")
        ordering = ["operation", "-reported_at"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "user"], name="one_roll_call_per_worker")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class Distribution(models.Model):
    """Supplies handed to a household (安居包 …), signed for by whoever received them."""

    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="distributions",
        verbose_name=_("operation"),
    )
    line = models.ForeignKey(
        CheckLine,
        on_delete=models.CASCADE,
        related_name="distributions",
        verbose_name=_("household"),
    )
    area_path = models.CharField(max_length=255, editable=False)
    item = models.CharField(_("item"), max_length=50)
    quantity = models.PositiveIntegerField(_("quantity"))
    # Who signed for them: a name as written; a resident's name is personal data, so it
    # is kept encrypted like the household base's names (shown nowhere but the export).
    signed_by = EncryptedTextField(_("signed for by"))
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed out by"),
    )
    handed_at = models.DateTimeField(_("handed out at"))
    request_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["operation", "-handed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "request_key"], name="one_distribution_per_request"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="distribution_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}
