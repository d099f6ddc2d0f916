"""The points ledger (计件+积分): double entry, immutable, one cause per transfer.

Every change of anybody's points is a ``Transfer``: a set of ``Entry`` legs
whose amounts sum to zero, between

- a person's account, one per incentive bucket (routine 平时, emergency 应急,
  other 其他), whose ``balance`` is kept in the same transaction as its entries
  (so reading it is one row, whatever the history), and never below zero;
- each district's issuing account per bucket (where awarded points come from)
  and its redemption account (where redeemed points go). These carry no stored
  balance: a single row written by every award would make all awards of a
  district wait on each other. Their balance is the sum of their entries.

Entries and transfers are never changed or deleted (``save``/``delete`` refuse,
and the admin is read-only): a mistake is put right by a reversal, a new
transfer with the opposite legs that cites the one it reverses. So the ledger
sums to zero after every committed transaction, and every point has a cause.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shezhi.core.ledger_rows import ImmutableRow


class Bucket(models.TextChoices):
    ROUTINE = "routine", _("Routine (平时)")
    EMERGENCY = "emergency", _("Emergency (应急)")
    OTHER = "other", _("Other (其他)")


class Account(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ISSUING = "issuing", _("Issuing (district)")
        REDEMPTION = "redemption", _("Redemption (district)")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    bucket = models.CharField(_("bucket"), max_length=12, choices=Bucket.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_accounts",
        verbose_name=_("person"),
    )
    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_accounts",
        verbose_name=_("district"),
    )
    # Person accounts only (see the module's docstring); 0 on the others.
    balance = models.BigIntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "bucket"],
                condition=Q(kind="person"),
                name="one_person_account_per_bucket",
            ),
            models.UniqueConstraint(
                fields=["district", "kind", "bucket"],
                condition=~Q(kind="person"),
                name="one_system_account_per_district_bucket",
            ),
            models.CheckConstraint(
                condition=Q(kind="person", user__isnull=False, district__isnull=True)
                & ~Q(bucket="")
                | Q(kind="issuing", user__isnull=True, district__isnull=False) & ~Q(bucket="")
                | Q(kind="redemption", user__isnull=True, district__isnull=False, bucket=""),
                name="points_account_owner_matches_kind",
            ),
            # The database itself refuses a negative balance, whatever the code does.
            models.CheckConstraint(
                condition=~Q(kind="person") | Q(balance__gte=0),
                name="person_balance_never_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user or self.district
        return f"{owner} · {self.get_kind_display()} · {self.get_bucket_display()}"


class CauseType(models.TextChoices):
    EVENT = "event", _("Event")
    HOUSEHOLD_VISIT = "household_visit", _("Household visit")
    DEMAND = "demand", _("Demand")
    EMERGENCY_TASK = "emergency_task", _("Emergency task")
    ACTIVITY = "activity", _("Volunteer activity")
    REDEMPTION = "redemption", _("Redemption")
    TRANSFER = "transfer", _("Correction")


class Transfer(ImmutableRow):
    """One balanced movement of points, with its cause."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        DEDUCTION = "deduction", _("Deduction")
        REDEMPTION = "redemption", _("Redemption")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Whose points moved; every transfer moves one person's points only (points
    # are never passed from one person to another).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="points_transfers",
        verbose_name=_("person"),
    )
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    # Where the work was done (leaderboards by area filter on the path).
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    # Blank for a redemption, which may draw on several buckets.
    bucket = models.CharField(_("bucket"), max_length=12, choices=Bucket.choices, blank=True)
    # The change to the person's points: + award, − deduction or redemption.
    points = models.BigIntegerField(_("points"))
    # Counts towards leaderboards: awards, deductions and their reversals.
    earning = models.BooleanField(default=False, editable=False)
    rule = models.CharField(_("rule"), max_length=32, blank=True)
    cause_type = models.CharField(_("cause"), max_length=24, choices=CauseType.choices)
    cause_id = models.CharField(_("cause id"), max_length=64)
    # What a person reads: the event's number, the activity's title …
    cause_ref = models.CharField(_("reference"), max_length=200, blank=True)
    # Exactly once per cause: a service that runs twice finds its transfer here.
    cause_key = models.CharField(max_length=160, unique=True, editable=False)
    # The cause is the person's own secret (an anonymous report): ``cause_id`` and
    # ``cause_key`` hold keyed hashes, ``cause_ref`` is blank, the area is coarsened
    # to the community and the time to the day (see ``causes``). Only the person's own
    # statement shows which report it was.
    private_cause = models.BooleanField(_("cause shown to the person only"), default=False)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    memo = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("points transfer")
        verbose_name_plural = _("points transfers")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "at"], name="transfer_user_at"),
            models.Index(fields=["user", "rule", "at"], name="transfer_user_rule_at"),
            models.Index(fields=["area_path", "at"], name="transfer_area_at"),
            models.Index(fields=["district", "at"], name="transfer_district_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d} · {self.user}"


class Entry(ImmutableRow):
    """One leg of a transfer: an amount on one account (+ credit, − debit)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("amount"))
    # Person accounts: the account's balance after this entry (a statement's
    # running balance per bucket needs no sum over the past).
    balance_after = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "transfer"], name="entry_account_transfer")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class RuleKind(models.TextChoices):
    EVENT_REGISTERED = "event_registered", _("Event reported and registered")
    EVENT_CLOSED_ON_TIME = "event_closed_on_time", _("Event closed on time")
    EVENT_REWORKED = "event_reworked", _("Event reworked (deduction)")
    HOUSEHOLD_VISIT = "household_visit", _("Household visit")
    DEMAND_COLLECTED = "demand_collected", _("Demand collected")
    EMERGENCY_TASK = "emergency_task", _("Emergency task")
    VOLUNTEER_HOUR = "volunteer_hour", _("Volunteer hour")


# Deduction rules take points away; the others award them.
DEDUCTION_RULES = frozenset({RuleKind.EVENT_REWORKED})


class PieceRateRule(models.Model):
    """A district's piece rate for one kind of work; a district without a row
    for a kind uses ``rules.DEFAULTS``. Editing a rule changes what later work
    earns, never an entry already written (entries carry their own points)."""

    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="piece_rate_rules",
        limit_choices_to={"level": "district"},
        verbose_name=_("district"),
    )
    kind = models.CharField(_("work"), max_length=32, choices=RuleKind.choices)
    bucket = models.CharField(_("bucket"), max_length=12, choices=Bucket.choices)
    points = models.PositiveIntegerField(_("points per piece"))
    # Most points one person may get (or lose) from this rule in one day; null: no cap.
    daily_cap = models.PositiveIntegerField(_("daily cap"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("piece-rate rule")
        verbose_name_plural = _("piece-rate rules")
        ordering = ["district", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["district", "kind"], name="one_rule_per_district_kind")
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.get_kind_display()}"

    def get_additional_data(self) -> dict:
        return {"area_path": self.district.path, "area_code": self.district.code}


class Reward(models.Model):
    """Something points can be redeemed for, offered in an area (and everywhere below it)."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICE = "service", _("Service")
        HONOUR = "honour", _("Honour")

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="rewards", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(
        pgettext_lazy("free text about a thing", "description"), blank=True
    )
    cost = models.PositiveIntegerField(_("points"))
    # Null: no limit (an honour, a service with no fixed number of places).
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True)
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path, "area_code": self.area.code}


class Redemption(models.Model):
    class Status(models.TextChoices):
        REDEEMED = "redeemed", _("Redeemed, to hand over")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")

    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("person"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    # Set in the transaction that creates the redemption (the transfer cites it).
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        related_name="redemption",
        verbose_name=_("transfer"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REDEEMED
    )
    created_at = models.DateTimeField(_("redeemed at"))
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reward} × {self.quantity} · {self.user}"
