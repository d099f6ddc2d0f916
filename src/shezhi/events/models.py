"""Events (事件 / 案卷) and everything that happens to them.

The state of an event only ever changes through ``services.perform``, which
follows the one transition table in ``workflow.py`` and writes an
``EventTransition`` for every step. Columns such as ``rework_count`` are
running totals of that history, kept on the row so lists and the SLA scan
need no joins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class Category(models.Model):
    """A two-level tree: a class (大类, no parent) and its subcategories (小类).

    Events always carry a subcategory; the subcategory says who is responsible,
    when an event may be registered and closed, and how long handling may take.
    """

    class Kind(models.TextChoices):
        URBAN = "urban", _("Urban management (GB/T 30428)")
        SOCIAL = "social", _("Social governance")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("class"),
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SOCIAL)
    # Department.code of the district's responsible department (城管 = "cg" …);
    # each district has its own department rows with these codes.
    department_code = models.CharField(_("responsible department code"), max_length=32, blank=True)
    register_conditions = models.TextField(_("conditions to register"), blank=True)
    close_conditions = models.TextField(_("conditions to close"), blank=True)
    deadline_value = models.PositiveIntegerField(_("handling deadline"), default=3)
    deadline_unit = models.CharField(
        _("deadline unit"), max_length=8, choices=DeadlineUnit.choices, default=DeadlineUnit.DAYS
    )
    emergency_deadline_value = models.PositiveIntegerField(
        _("handling deadline in emergency mode"), default=4
    )
    emergency_deadline_unit = models.CharField(
        _("emergency deadline unit"),
        max_length=8,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.HOURS,
    )
    allows_anonymous = models.BooleanField(_("anonymous reports allowed"), default=True)
    # 小事不出网格: dispatch to the micro-grid's own worker by default.
    grid_can_solve = models.BooleanField(_("solvable inside the micro-grid"), default=False)
    # 当场处置: a grid worker who fixed it on the spot reports and closes it in one step
    # (small routine matters only; never what needs a department).
    allows_spot_handling = models.BooleanField(_("may be handled on the spot"), default=False)
    escalate_when_overdue = models.BooleanField(_("escalate when overdue"), default=True)
    reopen_days = models.PositiveIntegerField(_("days the reporter may reopen"), default=7)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_value__gt=0) & Q(emergency_deadline_value__gt=0),
                name="category_deadlines_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels only.")})
        if self.parent_id and not self.code.startswith(self.parent.code):
            raise ValidationError({"code": _("A subcategory's code starts with its class's code.")})


class EmergencyPeriod(models.Model):
    """An area in emergency mode (战时) from ``started_at`` until ``ended_at``.

    Events located inside it get the categories' emergency deadlines.
    """

    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="emergency_periods",
        verbose_name=_("area"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        verbose_name = _("emergency period")
        verbose_name_plural = _("emergency periods")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.area} · {self.reason}"


class Event(models.Model):
    class State(models.TextChoices):
        REPORTED = "reported", _("Reported")
        REGISTERED = "registered", _("Registered")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Being handled")
        HANDLED = "handled", _("Handled, awaiting verification")
        CLOSED = "closed", _("Closed")
        RETURNED = "returned", _("Returned to the dispatcher")
        DEFERRAL_REQUESTED = "deferral_requested", _("Deferral requested")
        DEFERRED = "deferred", _("Deferred")
        VOIDED = "voided", _("Voided")
        MERGED = "merged", _("Merged into another event")

    class Source(models.TextChoices):
        PATROL = "patrol", _("Grid worker's patrol")
        RESIDENT = "resident", _("Resident's report")
        HOTLINE = "hotline", _("12345 hotline transfer")
        ASSIGNED = "assigned", _("Assigned from above")
        API = "api", _("API")
        # A household's need found by an emergency operation's check (events.operation_needs).
        OPERATION = "operation", _("Emergency operation's check")

    class HandlerKind(models.TextChoices):
        WORKER = "worker", _("Micro-grid worker")
        COMMUNITY = "community", _("Community")
        DEPARTMENT = "department", _("Department")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="events", verbose_name=_("category")
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    state = models.CharField(
        _("state"), max_length=24, choices=State.choices, default=State.REPORTED
    )
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # WGS84, whatever system the reporter's device used.
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    # The deepest area containing the point (usually a micro-grid), and its path
    # copied here so "events of this area" is one indexed prefix filter.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="events", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    # The level whose dispatchers hold the event now: the community at first,
    # moved up by each escalation (grid → community → street → district).
    owner_area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="owned_events",
        verbose_name=_("held by"),
    )
    # Indexed by event_owner_state_idx (owner_path, state): every write pays per index.
    owner_path = models.CharField(max_length=255, editable=False)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submitted_events",
        verbose_name=_("submitted by"),
    )
    # The resident (or worker) who may verify, reopen and rate; none for a hotline call.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_events",
        verbose_name=_("reporter"),
        db_index=False,  # event_reporter_created_idx leads with it
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = EncryptedTextField(_("contact name"), blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    contact_phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    # SHA-256 of what the keyed submission asked for: a retry must ask the same.
    idempotency_hash = models.CharField(max_length=64, blank=True, editable=False)

    handler_kind = models.CharField(
        _("handler kind"), max_length=16, choices=HandlerKind.choices, blank=True
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_events",
        verbose_name=_("handling worker"),
        db_index=False,  # event_worker_state_idx leads with it
    )
    handler_area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handling community"),
        db_index=False,  # event_community_state_idx leads with it
    )
    handler_department = models.ForeignKey(
        "people.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("handling department"),
        db_index=False,  # event_dept_state_idx leads with it
    )

    emergency = models.BooleanField(_("emergency deadlines"), default=False)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Deadline in working time from dispatch; warn_at is when 80 % of it is used,
    # both fixed at dispatch so the SLA colour and scan are plain comparisons.
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_budget_seconds = models.PositiveIntegerField(default=0, editable=False)
    # Working seconds already used before a deferral paused the clock.
    sla_used_seconds = models.PositiveIntegerField(default=0, editable=False)

    dispatch_count = models.PositiveSmallIntegerField(_("dispatches"), default=0)
    redispatch_count = models.PositiveSmallIntegerField(_("re-dispatches"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    bounce_count = models.PositiveSmallIntegerField(_("bounces"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("escalations"), default=0)
    me_too_count = models.PositiveIntegerField(_("me too"), default=0)
    # 当场处置 (``spot.handle_on_spot``): the latest handling was a grid worker's own
    # on-the-spot fix; ``spot_check``: drawn for the community's spot-check verification
    # (抽查核查), which only the community's staff (or a level above) may then give.
    on_spot = models.BooleanField(_("handled on the spot"), default=False)
    spot_check = models.BooleanField(_("spot check by the community"), default=False)

    result = models.TextField(_("result"), blank=True)
    rating = models.CharField(_("rating"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    master = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
        db_index=False,  # event_master_idx, partial
    )
    # Optimistic concurrency: every transition bumps it, and only succeeds if
    # the row still has the version it read.
    version = models.PositiveIntegerField(default=0, editable=False)
    # Set by every step, cleared by stats.facts.sync once the event's KPI facts
    # are current (a partial index keeps only the stale ones).
    stats_stale = models.BooleanField(default=True, editable=False)
    # Indexed with the id (event_created_path_idx): every list's order, newest first.
    created_at = models.DateTimeField(_("reported at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        # Partial where the column is empty until dispatch (or a merge): a new report,
        # the most frequent write, then touches none of these. A query comparing the
        # column (handler_user = …, warn_at <= …) implies the condition, so both
        # SQLite and PostgreSQL still use them.
        indexes = [
            models.Index(fields=["state", "deadline_at"], name="event_state_deadline_idx"),
            # A reporter's own reports newest first ("my reports"), read from the index.
            models.Index(
                fields=["reporter", "created_at", "id"],
                name="event_reporter_created_idx",
                condition=Q(reporter__isnull=False),
            ),
            models.Index(
                fields=["state", "warn_at"],
                name="event_state_warn_idx",
                condition=Q(warn_at__isnull=False),
            ),
            # Every list newest first ("-created_at", "-id"), read from the index alone on
            # PostgreSQL too (an index on created_at only sorted each moment's ids and
            # read the table for them: a deep page's walk, 260 ms); the area's path
            # carried along (INCLUDE, PostgreSQL) so a walk checks the scope's ranges in
            # the index too (offset=100000 in a district: 100,000 rows read from the
            # table, 42 -> 17 ms).
            models.Index(
                fields=["created_at", "id"], include=["area_path"], name="event_created_path_idx"
            ),
            models.Index(fields=["owner_path", "state"], name="event_owner_state_idx"),
            # Filters that meet rarely over large sets (a source with a category, a state):
            # counted and gathered from this index alone on PostgreSQL (the order's keys
            # carried along, INCLUDE), not by walking the year for a page that never
            # fills. SQLite has no INCLUDE: there it is the plain four columns.
            models.Index(
                fields=["source", "category", "state", "area_path"],
                include=["created_at", "id"],
                name="event_source_category_idx",
            ),
            # The queue's tabs: one state's events oldest first, the level holding them
            # (a subtree of owner_path) read from the index, not from each row. Lists
            # filtered by one state walk it newest first too (937,000 closed in a year):
            # (created_at) orders them, the id breaks the rare tie of a moment.
            models.Index(
                fields=["state", "created_at", "owner_path"], name="event_queue_state_created_idx"
            ),
            models.Index(
                fields=["handler_department", "state"],
                name="event_dept_state_idx",
                condition=Q(handler_department__isnull=False),
            ),
            # A department's events inside an area (its staff's list, ``area=<community>``):
            # one range, where the department's or the area's alone are tens of thousands.
            models.Index(
                fields=["handler_department", "area_path"],
                name="event_dept_area_idx",
                condition=Q(handler_department__isnull=False),
            ),
            models.Index(
                fields=["handler_user", "state"],
                name="event_worker_state_idx",
                condition=Q(handler_user__isnull=False),
            ),
            models.Index(
                fields=["handler_area", "state"],
                name="event_community_state_idx",
                condition=Q(handler_area__isnull=False),
            ),
            models.Index(
                fields=["master"], name="event_master_idx", condition=Q(master__isnull=False)
            ),
            models.Index(
                fields=["id"], name="event_stats_stale_idx", condition=Q(stats_stale=True)
            ),
        ]
        constraints = [
            # A retried submission finds the first one instead of making a second.
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="event_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    @property
    def number(self) -> str:
        """The case number shown to people: year of report + sequence."""
        return f"{self.created_at:%Y}{self.pk:07d}"

    @property
    def is_open(self) -> bool:
        return self.state not in OPEN_EXCLUDED


# States in which nothing more happens (until a reopen).
OPEN_EXCLUDED = frozenset({Event.State.CLOSED, Event.State.VOIDED, Event.State.MERGED})


class EventTransition(models.Model):
    """One step in an event's history: who did what, when, from which state to which."""

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("event"),
        db_index=False,  # transition_event_at_idx leads with it
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=24)
    to_state = models.CharField(_("to"), max_length=24)
    # None: the platform itself (the SLA scan).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_transitions",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    # Details of the step: the dispatch target, an escalation's levels, a rating …
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event transition")
        verbose_name_plural = _("event transitions")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["event", "at"], name="transition_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action} {self.from_state}→{self.to_state}"


def photo_path(instance: EventPhoto, filename: str) -> str:
    return f"events/{instance.event.created_at:%Y/%m}/{instance.event_id}/{filename}"


class EventPhoto(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", _("Report")
        RESULT = "result", _("Result")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="photos", verbose_name=_("event")
    )
    transition = models.ForeignKey(
        EventTransition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("step"),
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # Where the camera was, read from EXIF before EXIF is stripped.
    taken_lng = models.FloatField(null=True, blank=True)
    taken_lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.get_stage_display()} · {self.pk}"


def held_photo_path(instance: HeldPhoto, filename: str) -> str:
    return f"events/held/{instance.user_id}/{filename}"


class HeldPhoto(models.Model):
    """A photo sent with a report the server refused, kept for the corrected form.

    Tied to its sender and to the form's idempotency key: the re-rendered form
    shows it (a thumbnail only its sender can open) and sends it again with the
    event, so a missing field never costs the resident their photos. Already
    checked, resized and stripped of EXIF (``photos.process_photo``); the place
    read from EXIF is kept beside it. Deleted once the report is sent, and by
    ``held_photos.sweep`` after a day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sender"),
    )
    key = models.CharField(_("form key"), max_length=64)
    image = models.ImageField(
        _("photo"), upload_to=held_photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    taken_lng = models.FloatField(null=True, blank=True)
    taken_lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(_("held at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of an unsent report")
        verbose_name_plural = _("photos of unsent reports")
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "key"], name="events_held_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.key} · {self.pk}"


class EventFollower(models.Model):
    """Who follows an event as its reporter: their own, or "me too" on another's."""

    class Kind(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        ME_TOO = "me_too", _("Me too")

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="followers",
        verbose_name=_("event"),
        db_index=False,  # one_follow_per_user (event, user) leads with it
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="followed_events",
        verbose_name=_("user"),
        db_index=False,  # follower_user_event_idx leads with it
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("event follower")
        verbose_name_plural = _("event followers")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_follow_per_user")
        ]
        # "What I follow" (a resident's scope, my reports) read from the index alone.
        indexes = [models.Index(fields=["user", "event"], name="follower_user_event_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.user_id} · {self.kind}"


class Whistle(models.Model):
    """吹哨: a community or street summons departments to an event it cannot solve.

    It stays open until the event closes (事不完、人不撤).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="whistles", verbose_name=_("event")
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="whistles",
        verbose_name=_("blown by (area)"),
    )
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="whistles",
        verbose_name=_("blown by"),
    )
    reason = models.TextField(_("reason"))
    blown_at = models.DateTimeField(_("blown at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-blown_at"]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.area}"


class WhistleSummons(models.Model):
    """One department summoned by a whistle: it must report in by ``due_at`` (报到)."""

    class Rating(models.IntegerChoices):
        POOR = 1, _("Poor")
        FAIR = 2, _("Fair")
        GOOD = 3, _("Good")
        EXCELLENT = 4, _("Excellent")

    whistle = models.ForeignKey(
        Whistle, on_delete=models.CASCADE, related_name="summonses", verbose_name=_("whistle")
    )
    department = models.ForeignKey(
        "people.Department",
        on_delete=models.PROTECT,
        related_name="summonses",
        verbose_name=_("department"),
    )
    due_at = models.DateTimeField(_("report in by"))
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported in by"),
    )
    note = models.TextField(_("report-in note"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("response rating"), choices=Rating.choices, null=True, blank=True
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "department"], name="one_summons_per_department"
            )
        ]
        indexes = [models.Index(fields=["department", "reported_in_at"], name="summons_dept_idx")]

    def __str__(self) -> str:
        return f"{self.whistle_id} · {self.department_id}"

    @property
    def on_time(self) -> bool | None:
        if self.reported_in_at is None:
            return None
        return self.reported_in_at <= self.due_at


class SlaNotice(models.Model):
    """One reminder or escalation the SLA scan sent, at most once per deadline.

    The unique constraint is what makes the scan idempotent: two scans at once
    both try to insert, one wins, only the winner notifies.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated as overdue")
        REPORT_IN_OVERDUE = "report_in_overdue", _("Report-in overdue")
        # deadline_at: the report's own time (a report is announced once).
        REPORTED = "reported", _("New report announced")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sla_notices", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # The deadline the notice is about: a new deadline (after a re-dispatch) may
    # be reminded of again.
    deadline_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "deadline_at"], name="one_sla_notice_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.kind} · {self.deadline_at:%Y-%m-%d %H:%M}"
