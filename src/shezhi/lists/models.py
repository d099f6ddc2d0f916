"""The three lists of issue 16 §3 (三张清单): needs, resources, projects.

- A **needs list** (需求清单) belongs to a community or a street and an edition (a
  period); staff curate its **items** from the demand groups of the list's communities.
  An item cites one or more groups; "the residents behind it" are the distinct
  households (else accounts) of those groups' demands, counted, never named to the
  public (``selectors.residents_behind``). An item's status moves along ``TRANSITIONS``
  (the one table), each move a dated ``NeedItemStep`` row.
- A **resource** (资源清单) is who offers what: a provider of a kind (organisation,
  department, enterprise 共建单位, volunteer team, service post), its name, the provider's
  own row where the platform has one (a generic foreign key: organisations arrive in
  another app), the kind of help (``demands.models.Kind``), a capacity and the area it
  serves (its subtree).
- A **list project** (项目清单) is an item matched to a resource: owner, plan, dates and
  outcome. The residents behind the item rate it once each (1–5).

Every row carries its area's path (``area_path``): scoped lists are path ranges.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.demands.models import Kind


class NeedsList(models.Model):
    # A community's (or a street's) list for one edition.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    edition = models.CharField(_("edition"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("needs list")
        verbose_name_plural = _("needs lists")
        ordering = ["-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="needslist_path_idx")]
        constraints = [
            models.UniqueConstraint(fields=["area", "edition"], name="needslist_one_edition"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="needslist_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.published_at is not None


class Status(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CLAIMED = "claimed", _("Claimed")
    IN_DELIVERY = "in_delivery", _("In delivery")
    DELIVERED = "delivered", _("Delivered")
    EVALUATED = "evaluated", _("Evaluated")


# The one transition table: status → the statuses it may move to. A claimed item may
# be released (back to published) while its project has not started; its project goes.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PUBLISHED: (Status.CLAIMED,),
    Status.CLAIMED: (Status.IN_DELIVERY, Status.PUBLISHED),
    Status.IN_DELIVERY: (Status.DELIVERED,),
    Status.DELIVERED: (Status.EVALUATED,),
    Status.EVALUATED: (),
}


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class NeedItem(models.Model):
    needs_list = models.ForeignKey(
        NeedsList, on_delete=models.CASCADE, related_name="items", verbose_name=_("needs list")
    )
    # The community the item's groups belong to.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    area_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )
    groups = models.ManyToManyField(
        "demands.DemandGroup", related_name="+", verbose_name=_("demand groups")
    )
    # Distinct residents behind the item when it was curated (kept fresh on each move).
    residents = models.PositiveIntegerField(_("residents behind it"), default=0)
    # Moves so far: two people moving one item at once cannot both win.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("needs list item")
        verbose_name_plural = _("needs list items")
        ordering = ["priority", "-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="needitem_path_idx"),
            models.Index(fields=["needs_list", "priority", "id"], name="needitem_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, ())


class NeedItemStep(models.Model):
    """One dated move of an item (its first row: published)."""

    item = models.ForeignKey(NeedItem, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # Set when written (the demo writes its history at its own dates).
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("item step")
        verbose_name_plural = _("item steps")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ProviderKind(models.TextChoices):
    ORGANISATION = "organisation", _("Self-governance organisation")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Partner enterprise")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    SERVICE_POST = "service_post", _("Service post")


class Resource(models.Model):
    provider_kind = models.CharField(
        _("provider kind"), max_length=20, choices=ProviderKind.choices
    )
    provider_name = models.CharField(_("provider"), max_length=200)
    # The provider's own row where the platform has one (a service post, a department,
    # an organisation once that app lands): any model.
    provider_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_id = models.PositiveBigIntegerField(null=True, blank=True)
    provider = GenericForeignKey("provider_type", "provider_id")
    offer_kind = models.CharField(_("offers"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what is offered"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    capacity_unit = models.CharField(_("unit"), max_length=20)
    # The area served: its whole subtree.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    area_path = models.CharField(max_length=255, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="resource_path_idx"),
            models.Index(fields=["offer_kind", "area_path"], name="resource_kind_idx"),
            models.Index(fields=["provider_type", "provider_id"], name="resource_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_name}: {self.title}"


class ListProject(models.Model):
    """An item matched to a resource (项目清单); not issue 17's micro-project."""

    item = models.OneToOneField(NeedItem, on_delete=models.CASCADE, related_name="project")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="projects")
    # The capacity of the resource this project takes (its unit).
    capacity_used = models.PositiveIntegerField(_("capacity used"), default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    plan = models.TextField(_("plan"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    outcome = models.TextField(_("outcome"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("list project")
        verbose_name_plural = _("list projects")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="listproject_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)


class Rating(models.Model):
    """A resident's rating of a delivered item: once each, only those behind it."""

    item = models.ForeignKey(NeedItem, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="rating_once_per_resident"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"
