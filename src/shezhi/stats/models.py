"""Per-event KPI facts and their daily sums per community (see ``counters``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .counters import COUNTERS


def _counter_fields() -> dict[str, models.Field]:
    return {name: models.BigIntegerField(default=0) for name in COUNTERS}


class EventFact(models.Model):
    """What one event contributes to each KPI counter, as of its latest step."""

    event = models.OneToOneField(
        "events.Event",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fact",
        verbose_name=_("event"),
    )
    area_path = models.CharField(max_length=255)
    rollup_path = models.CharField(max_length=255)
    category = models.ForeignKey(
        "events.Category", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reported_on = models.DateField()
    version = models.PositiveIntegerField(default=0)  # the event's version it was read at

    locals().update(_counter_fields())

    class Meta:
        verbose_name = _("event KPI fact")
        verbose_name_plural = _("event KPI facts")
        indexes = [models.Index(fields=["area_path", "reported_on"], name="fact_area_day_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.reported_on}"


class DailyRollup(models.Model):
    """The sums of the facts of the events reported on ``day`` in one community.

    ``path`` is the community's path; an event located above every community
    (on a street with no community drawn there) is summed under its own area.
    """

    path = models.CharField(max_length=255)
    day = models.DateField()

    locals().update(_counter_fields())

    class Meta:
        verbose_name = _("daily KPI sums")
        verbose_name_plural = _("daily KPI sums")
        constraints = [models.UniqueConstraint(fields=["path", "day"], name="rollup_path_day")]

    def __str__(self) -> str:
        return f"{self.path} @ {self.day}"


class CategoryRollup(models.Model):
    """Events reported per day, street and subcategory: the dashboard's top categories."""

    path = models.CharField(max_length=255)  # the street's path
    day = models.DateField()
    category = models.ForeignKey(
        "events.Category", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    reported = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily reports per category")
        verbose_name_plural = _("daily reports per category")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "day", "category"], name="category_rollup_path_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} @ {self.day} · {self.category_id}: {self.reported}"


class StatsVersion(models.Model):
    """Moved by every sync that changed a fact: cached KPI answers carry it in their key.

    The token is random, so a database restored or rolled back to an earlier
    count can never meet answers cached for a different history.
    """

    version = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("statistics version")
        verbose_name_plural = _("statistics versions")

    def __str__(self) -> str:
        return str(self.version)


class ReportingPeriod(models.Model):
    """A named period an area's dashboard offers beside this month, last month and this
    year: an assessment year, the demo's year. Offered on the area and every area below
    it; the one marked ``is_default`` is what the dashboard opens on."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    label = models.CharField(_("label"), max_length=60)
    start = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    is_default = models.BooleanField(_("opened by default"), default=False)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["area", "label"], name="reporting_period_area_label"),
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("start")), name="reporting_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.start} – {self.last}"
