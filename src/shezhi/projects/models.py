"""Residents' micro-projects (社区亲治理 2.0) and the money ledger that carries their money.

The money ledger (the points ledger's design, its own tables; see ``ledger``):

- every movement is a ``MoneyTransfer`` of ``MoneyEntry`` legs in integer fen that sum
  to zero, citing its cause (``cause_type`` + ``cause_id``, unique ``cause_key``);
- accounts that hold money (a project, its match reserve, a community fund) keep a
  ``balance`` updated in the same transaction as their entries, under a row lock, and
  the database refuses a negative one; the district's boundary accounts (residents'
  payments in, refunds out, expenses out, allocations in) carry no stored balance
  (one row written by every payment of a district would queue them all): theirs is
  the sum of their entries;
- rows are written once: ``save`` of an existing row and ``delete`` refuse; a mistake
  is put right by a reversal citing the transfer it reverses.

Sign: an entry's amount is what the account gains (+) or gives (−). Money coming in
from residents is −X on "payments in" and +X on the project; so the boundary accounts
run negative (money the platform received) or positive (money it paid out).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField

# ---------------------------------------------------------------------------
# The money ledger


class ImmutableRow(models.Model):
    """A row written once: the ledger's history is never edited."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Money ledger rows are immutable: reverse the transfer instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Money ledger rows are immutable: reverse the transfer instead.")


class MoneyAccount(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        RESERVE = "reserve", _("Project's match reserve")
        FUND = "fund", _("Community fund")
        PAYMENTS_IN = "payments_in", _("Residents' payments in")
        REFUNDS_OUT = "refunds_out", _("Refunds out")
        EXPENSES_OUT = "expenses_out", _("Expenses out")
        ALLOCATIONS_IN = "allocations_in", _("Allocations to funds")

    HOLDING = (Kind.PROJECT, Kind.RESERVE, Kind.FUND)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The district of a boundary account; the area of a fund (its community).
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    # Holding accounts only; 0 on the boundary accounts (their balance is a sum).
    balance = models.BigIntegerField(_("balance (fen)"), default=0)

    class Meta:
        verbose_name = _("money account")
        verbose_name_plural = _("money accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind"],
                condition=Q(
                    kind__in=["payments_in", "refunds_out", "expenses_out", "allocations_in"]
                ),
                name="one_money_boundary_account_per_district_kind",
            ),
            # The database itself refuses a negative holding, whatever the code does.
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="money_balance_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class MoneyTransfer(ImmutableRow):
    """One balanced movement of money, with its cause."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocation to a fund")
        RESERVE = "reserve", _("Match reserved on approval")
        RELEASE = "release", _("Unused match back to the fund")
        PAYMENT = "payment", _("Resident's payment")
        MATCH = "match", _("Community match")
        MATCH_RETURN = "match_return", _("Match returned")
        REFUND = "refund", _("Refund")
        EXPENSE = "expense", _("Expense")
        REVERSAL = "reversal", _("Reversal")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The kind of the movement a reversal undoes; the transfer's own kind otherwise
    # (so a project's residents' money is one filter: stream=payment).
    stream = models.CharField(_("stream"), max_length=16, choices=Kind.choices)
    project = models.ForeignKey(
        "Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("project"),
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    cause_type = models.CharField(_("cause"), max_length=24)
    cause_id = models.CharField(_("cause id"), max_length=64)
    # Exactly once per cause.
    cause_key = models.CharField(max_length=160, unique=True, editable=False)
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
        verbose_name = _("money transfer")
        verbose_name_plural = _("money transfers")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["project", "at"], name="money_transfer_project_at")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="money_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} fen"


class MoneyEntry(ImmutableRow):
    """One leg of a transfer: fen gained (+) or given (−) by one account."""

    transfer = models.ForeignKey(MoneyTransfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(MoneyAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("money entry")
        verbose_name_plural = _("money entries")
        indexes = [models.Index(fields=["account", "transfer"], name="money_entry_account")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="money_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


# ---------------------------------------------------------------------------
# Rules and funds


class DistrictProjectRules(models.Model):
    """A district's rules for micro-projects: how many backings move a proposal on, and
    how the community matches residents' money (ratio in basis points of what residents
    paid, capped per project)."""

    district = models.OneToOneField(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="project_rules",
        verbose_name=_("district"),
    )
    backing_threshold = models.PositiveIntegerField(_("backings needed"), default=10)
    # 10000 = one fen of the community for every fen of the residents.
    match_ratio_bp = models.PositiveIntegerField(_("match ratio (basis points)"), default=10000)
    match_cap = models.PositiveBigIntegerField(_("match cap per project (fen)"), default=2_000_000)
    # How far above its target a project that accepts overfunding may go, in percent.
    overfunding_pct = models.PositiveIntegerField(_("overfunding cap (%)"), default=20)

    class Meta:
        verbose_name = _("district's project rules")
        verbose_name_plural = _("districts' project rules")

    def __str__(self) -> str:
        return f"{self.district_id}"


class CommunityFund(models.Model):
    """A community's fund for matching (配套资金); its money is on ``account``."""

    community = models.OneToOneField(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="project_fund",
        verbose_name=_("community"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    account = models.OneToOneField(MoneyAccount, on_delete=models.PROTECT, related_name="fund")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("community fund")
        verbose_name_plural = _("community funds")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


# ---------------------------------------------------------------------------
# Projects


class Project(models.Model):
    class Stage(models.TextChoices):
        BACKING = "backing", _("Collecting backings")
        REVIEW = "review", _("In community review")
        RETURNED = "returned", _("Returned for changes")
        REFUSED = "refused", _("Refused")
        FUNDING = "funding", _("Crowdfunding")
        EXPIRED = "expired", _("Missed its target, refunded")
        DELIVERY = "delivery", _("Being delivered")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="projects", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="initiated_projects",
        verbose_name=_("initiator"),
    )
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    problem = models.TextField(_("problem"))
    plan = models.TextField(_("plan"))
    target = models.PositiveBigIntegerField(_("target (fen)"))
    deadline = models.DateTimeField(_("deadline"))
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.BACKING, db_index=True
    )
    backings = models.PositiveIntegerField(_("backings"), default=0)
    allow_overfunding = models.BooleanField(_("accepts overfunding"), default=False)
    # Fixed on approval, from the district's rules.
    match_ratio_bp = models.PositiveIntegerField(_("match ratio (basis points)"), default=0)
    match_cap = models.PositiveBigIntegerField(_("match cap (fen)"), default=0)
    funding_cap = models.PositiveBigIntegerField(_("most money taken (fen)"), default=0)
    # Kept with the ledger in the same transaction, under the project's row lock (read in
    # constant time; ``money_check`` proves them equal to the sums of the entries):
    # residents' net money in (payments − refunds − reversed payments) and the
    # community's net match.
    paid_in = models.BigIntegerField(_("residents' money (fen)"), default=0)
    matched = models.BigIntegerField(_("community match (fen)"), default=0)
    fund = models.ForeignKey(
        CommunityFund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("fund"),
    )
    account = models.OneToOneField(
        MoneyAccount, on_delete=models.PROTECT, related_name="project", null=True, blank=True
    )
    reserve = models.OneToOneField(
        MoneyAccount, on_delete=models.PROTECT, related_name="reserved_for", null=True, blank=True
    )
    review_reason = models.TextField(_("review reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("micro-project")
        verbose_name_plural = _("micro-projects")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["area_path", "stage"], name="project_path_stage")]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="project_target_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class BudgetLine(models.Model):
    class Kind(models.TextChoices):
        MATERIALS = "materials", _("Materials")
        LABOUR = "labour", _("Labour")
        SERVICES = "services", _("Services")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class Backing(models.Model):
    """附议: one per resident and project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="backing_rows")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_backings"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("backing")
        verbose_name_plural = _("backings")
        constraints = [
            models.UniqueConstraint(fields=["project", "resident"], name="one_backing_each")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.resident_id}"


class Pledge(models.Model):
    """A resident's promise to pay; the payment that follows cites it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pledges")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_pledges"
    )
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    named = models.BooleanField(_("shown by name"), default=False)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.amount}"


class Payment(models.Model):
    """A resident's payment into a project, recorded by staff or the initiator."""

    class Channel(models.TextChoices):
        CASH = "cash", _("Cash (receipt photo)")
        BANK = "bank", _("Bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")
        REVERSED = "reversed", _("Reversed (recorded in error)")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_payments",
    )
    # Personal data: encrypted at rest, shown masked (张*) unless ``named``.
    payer_name = EncryptedTextField(_("payer's name"))
    named = models.BooleanField(_("shown by name"), default=False)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # The bank's or gateway's reference: a payment is recorded once per reference.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    receipt = models.ImageField(
        _("receipt photo"), upload_to="projects/receipts/%Y/%m/", blank=True
    )
    transfer = models.OneToOneField(
        MoneyTransfer, on_delete=models.PROTECT, related_name="payment", null=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PAID
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("paid at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.UniqueConstraint(
                fields=["channel", "reference"],
                condition=~Q(reference=""),
                name="one_payment_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.amount}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id}


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=100)
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="projects/milestones/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class Expense(models.Model):
    class Status(models.TextChoices):
        SPENT = "spent", _("Spent")
        REVERSED = "reversed", _("Reversed (recorded in error)")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenses")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="expenses"
    )
    payee = models.CharField(_("payee"), max_length=100)
    description = models.CharField(_("what for"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    receipt = models.ImageField(
        _("receipt photo"), upload_to="projects/expenses/%Y/%m/", blank=True
    )
    transfer = models.OneToOneField(
        MoneyTransfer, on_delete=models.PROTECT, related_name="expense", null=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.SPENT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("spent at"))

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id}


class Rating(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_ratings"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("project rating")
        verbose_name_plural = _("project ratings")
        constraints = [
            models.UniqueConstraint(fields=["project", "resident"], name="one_rating_each"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.stars}"


def project_photo_path(instance: ProjectPhoto, filename: str) -> str:
    return f"projects/photos/{instance.project.created_at:%Y/%m}/{instance.project_id}/{filename}"


class ProjectPhoto(models.Model):
    """A photo of a proposal (the place as it is): checked, resized and stripped of EXIF
    by ``core.photos``; shown to those who may see the project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="photos", verbose_name=_("project")
    )
    image = models.ImageField(_("photo"), upload_to=project_photo_path)
    at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.pk}"
