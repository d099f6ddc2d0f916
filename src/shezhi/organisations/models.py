"""Self-governance organisations (自治组织, issue 16 §4): the registry and its history.

- An **organisation** has a kind, a name, an area (its community, or a grid or
  micro-grid inside it; ``area_path`` copies the area's path, so every scoped list is a
  path range) and optionally the compound (院落/小区) it serves.
- Its **members** are residents of the household base (``households.Resident``) or
  people of the workforce (``people.Person``): exactly one of the two, with a role
  (leader, deputy, member) and the dates they joined and left. A member's name is never
  copied here: it is read from the resident's or person's record and shown masked.
- Its **incubation stage** moves 萌芽 → 孵化 → 成长 → 成熟/登记, one row per move
  (``StageMove``: from, to, the day, the reason, who), by one service function that
  reads the transition table (``TRANSITIONS``).
- The **support** it received (space at a service post, money in fen, training,
  mentoring; dated), the **volunteer activities** it held (``volunteering``), and the
  **demand groups** it took on (``demands``). Items of the published needs lists
  (``shezhi.lists``, being built) will be linked the same way (``DemandTaken``'s twin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COURTYARD_COMMITTEE = "courtyard_committee", _("Courtyard self-governance committee")
    BUILDING_HEADS = "building_heads", _("Building heads' team")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer service team")
    INTEREST_CLUB = "interest_club", _("Interest club")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    SPROUT = "sprout", _("Sprouting")
    INCUBATING = "incubating", _("Incubating")
    GROWING = "growing", _("Growing")
    MATURE = "mature", _("Mature / registered")


# The stages in order: a move goes one step forward, or back (with its reason).
ORDER: tuple[str, ...] = tuple(Stage.values)
# The transition table: (from, to) → whether a reason is required. A forward move is
# one step at a time (skipping a stage is refused); a move back may go any number of
# steps but must say why; staying put is no move.
TRANSITIONS: dict[tuple[str, str], bool] = {
    **{(ORDER[i], ORDER[i + 1]): False for i in range(len(ORDER) - 1)},
    **{(ORDER[i], ORDER[j]): True for i in range(len(ORDER)) for j in range(i)},
}


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    compound = models.ForeignKey(
        "households.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compound"),
    )
    description = models.TextField(_("what it does"), blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.SPROUT)
    stage_since = models.DateField(_("in this stage since"))
    founded_on = models.DateField(_("founded on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("self-governance organisation")
        verbose_name_plural = _("self-governance organisations")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="org_path_idx"),
            models.Index(fields=["area_path", "stage"], name="org_path_stage_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="org_unique_name_in_area"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"area_path": self.area_path}


class Member(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("organisation"),
    )
    resident = models.ForeignKey(
        "households.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person of the workforce"),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organisation", "left_on", "role", "pk"]
        indexes = [models.Index(fields=["organisation", "left_on"], name="org_member_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resident__isnull=False) & Q(person__isnull=True))
                | (Q(resident__isnull=True) & Q(person__isnull=False)),
                name="org_member_resident_xor_person",
            ),
            models.UniqueConstraint(
                fields=["organisation", "resident"],
                condition=Q(left_on__isnull=True, resident__isnull=False),
                name="org_member_resident_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "person"],
                condition=Q(left_on__isnull=True, person__isnull=False),
                name="org_member_person_once",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(left_on__isnull=True, role="leader"),
                name="org_one_leader",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="org_member_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        # No name here: the audit log and the back office show the row, not the person.
        return f"{self.organisation_id}#{self.pk} {self.role}"

    @property
    def active(self) -> bool:
        return self.left_on is None

    def get_additional_data(self) -> dict:
        return {"area_path": self.organisation.area_path}


class StageMove(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="moves", verbose_name=_("organisation")
    )
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Copied so the funnel counts the moves of a subtree in a period from one table.
    area_path = models.CharField(max_length=255, editable=False)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["organisation", "on", "pk"]
        indexes = [models.Index(fields=["area_path", "on"], name="org_move_path_on_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} → {self.to_stage} ({self.on})"


class Support(models.Model):
    class Kind(models.TextChoices):
        SPACE = "space", _("Space at a service post")
        MONEY = "money", _("Money")
        TRAINING = "training", _("Training")
        MENTORING = "mentoring", _("Mentoring")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="supports",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("on"))
    post = models.ForeignKey(
        "places.ServicePost",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service post"),
    )
    # Integer fen, for money (0 otherwise).
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("support")
        ordering = ["organisation", "-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="space") | Q(post__isnull=False), name="org_space_at_a_post"
            ),
            models.CheckConstraint(
                condition=Q(kind="money", amount_fen__gt=0) | (~Q(kind="money") & Q(amount_fen=0)),
                name="org_money_has_an_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"

    @property
    def amount_yuan(self) -> str:
        """The amount as people read it: fen to "1500.50" (integer arithmetic)."""
        return f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"


class ActivityHeld(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("organisation"),
    )
    activity = models.ForeignKey(
        "volunteering.VolunteerActivity",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("volunteer activity"),
    )

    class Meta:
        verbose_name = _("activity held")
        verbose_name_plural = _("activities held")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "activity"], name="org_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ← {self.activity_id}"


class DemandTaken(models.Model):
    """A demand group the organisation took on. (A needs-list item, once ``shezhi.lists``
    lands, will be linked by a twin of this table.)"""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="demands",
        verbose_name=_("organisation"),
    )
    group = models.ForeignKey(
        "demands.DemandGroup",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demand group"),
    )
    taken_on = models.DateField(_("taken on"))

    class Meta:
        verbose_name = _("demand taken on")
        verbose_name_plural = _("demands taken on")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "group"], name="org_demand_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ← {self.group_id}"
