"""The roles there are, API tokens, the personal-data reveal audit and the working calendar's
overrides.

Who holds which role over which area (``RoleAssignment``) is the workforce's record: it
lives in ``people``, and ``core.scope`` reads it through the source people registers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MICRO_GRID_WORKER = "micro_grid_worker", _("Micro-grid worker")
    GRID_WORKER = "grid_worker", _("Full-time grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_STAFF = "street_staff", _("Street staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    DISTRICT_ADMIN = "district_admin", _("District admin")
    ALLIANCE_VIEWER = "alliance_viewer", _("Alliance viewer")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
        raw = "shz_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            name=name,
            expires_at=expires_at,
        )
        return token, raw


class PersonalDataView(models.Model):
    """One reveal of one personal value in clear: who saw whose what, when and why.

    Written by ``shezhi.core.personal_data.reveal``; never edited.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # The audit must outlive the account: deactivate, don't delete, a user
        # who has seen personal data.
        on_delete=models.PROTECT,
        related_name="personal_data_views",
        verbose_name=_("user"),
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name=_("object type")
    )
    # Text, so any kind of primary key fits.
    object_id = models.CharField(_("object ID"), max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(_("field"), max_length=100)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("personal-data view")
        verbose_name_plural = _("personal-data views")
        ordering = ["-viewed_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_pdview_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.content_type.model} {self.object_id} · {self.field_name}"


class CalendarOverride(models.Model):
    """An admin's say over one day of the working calendar (``shezhi.core.calendar``).

    It beats the national calendar: a working day declared off (a local
    holiday, a typhoon day) or a day off declared working.
    """

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a working day. Unticked: a day off."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        status = _("working day") if self.working else _("day off")
        return f"{self.date.isoformat()} · {status}"


@receiver([post_save, post_delete], sender=CalendarOverride, dispatch_uid="core_calendar_override")
def _calendar_override_changed(sender, using=None, **kwargs) -> None:
    # Every process caches the overrides; a new version makes them reload.
    from .calendar import overrides_changed

    overrides_changed(using=using)


class WorkerBeat(models.Model):
    """A background worker's sign of life, written every few seconds while it runs.

    A task left ``RUNNING`` by a worker that no longer beats (killed, its machine
    gone) is taken up again by the others (``shezhi.core.worker``).
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.worker_id


class UserPreference(models.Model):
    """How one signed-in user wants the pages shown (anonymous visitors: a cookie instead).

    ``elder_mode`` is the 长辈模式 of the MIIT 适老化 rules: larger text (main text 18 px or
    more), larger targets and simpler pages, applied as the ``elder-mode`` class on <body>.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="shezhi_preference",
        verbose_name=_("user"),
    )
    elder_mode = models.BooleanField(_("elder mode"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: elder_mode={self.elder_mode}"


class Participation(models.Model):
    """One way one participant took part in the community's life: the rows behind
    "residents taking part" (``core.participation``; stats counts them distinct).

    ``participant`` is a key, not a foreign key: ``r:<resident id>`` for a resident of the
    household base, ``p:<person id>`` for a person of the workforce, ``u:<user id>`` for a
    sign-in not (yet) bound to either. The same human taking part in five ways is five rows
    under one key, so the count is ``COUNT(DISTINCT participant)``; when a sign-in is later
    bound to its resident, ``merge_participant`` moves its rows to the resident's key.

    Anonymity: an anonymous contribution (e.g. an anonymous demand) is recorded without
    its source and with its time cut to the day, so nothing on a page or in the API (and
    only a day-and-area coincidence in the raw database) links the participant to it.
    """

    class Way(models.TextChoices):
        DEMAND = "demand", _("Raised a demand")
        BROADCAST_ANSWER = "broadcast_answer", _("Answered a broadcast")
        ORGANISATION = "organisation", _("Joined an organisation")
        ACTIVITY = "activity", _("Took part in an activity")
        PROJECT = "project", _("Took part in a project")

    way = models.CharField(_("way"), max_length=20, choices=Way.choices)
    participant = models.CharField(_("participant"), max_length=32)
    # The area where it happened (its path: every "for this area" count is a path range).
    area_path = models.CharField(max_length=255)
    at = models.DateTimeField(_("at"))
    # What the participation was (app_label.model and id); blank when anonymous.
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        indexes = [
            # The count of an area over a period: a path range, then the period, reading
            # the participant (and the way, for the breakdown) from the index alone.
            models.Index(
                fields=["area_path", "at", "participant", "way"], name="participation_area_way_idx"
            ),
            models.Index(fields=["at"], name="participation_at_idx"),
            models.Index(fields=["participant"], name="participation_who_idx"),
        ]
        constraints = [
            # Recorded once per source and participant, however often a service retries.
            models.UniqueConstraint(
                fields=["way", "source_type", "source_id", "participant"],
                condition=models.Q(source_id__isnull=False),
                name="participation_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.way} {self.at:%Y-%m-%d}"


class ParticipationDay(models.Model):
    """The count's pre-aggregate (``core.participation``): one row per participant, area
    and local day they took part, kept by the writes of ``Participation`` in their own
    transaction, so that no count reads the raw rows.

    For each area above a participation (``prefix``: every whole step of its path, and the
    path itself) and for ``way`` = ``"*"`` (any way) and its own way, the days a
    participant took part there form a chain: each row knows the participant's previous
    day in the same (prefix, way) chain (``prev_day``; ``FIRST`` when none). A participant
    took part in ``[start, end)`` exactly when one of their days lies in it, and exactly one
    of those has its previous day before ``start``; so the distinct count is the plain
    ``COUNT(*) WHERE prefix = area AND way = w AND start <= day < end AND prev_day < start``,
    an index range of the period's rows, with no DISTINCT and nothing sorted.
    """

    ANY_WAY = "*"

    participant = models.CharField(_("participant"), max_length=32)
    prefix = models.CharField(max_length=255)
    way = models.CharField(_("way"), max_length=20)
    # Days as proleptic Gregorian ordinals (``date.toordinal()``): small integers make a
    # narrow index, compared as numbers; ``prev_day`` 0 is "none before".
    day = models.PositiveIntegerField(_("day"))
    prev_day = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("participation day")
        verbose_name_plural = _("participation days")
        indexes = [
            # The count: an area's chain over a range of days, read from the index alone.
            models.Index(
                fields=["prefix", "way", "day", "prev_day"], name="participation_day_count_idx"
            ),
        ]
        constraints = [
            # One row per day of a chain; also the index of one participant's rows.
            models.UniqueConstraint(
                fields=["participant", "prefix", "way", "day"], name="participation_day_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.prefix} {self.way} {dt.date.fromordinal(self.day)}"
