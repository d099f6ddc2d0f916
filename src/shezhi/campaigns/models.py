"""Campaigns (社治专列, issue 16 §1): an area's push through the five-step loop, and its
three actions.

- A **campaign** has a name, an area (the district, a street or a community; its path
  copied so scoped lists are path ranges), a period, organisers (users and/or people),
  and its stage in the loop 挖掘需求 → 发布清单 → 培育主体 → 分享案例 → 推出成果; each
  move is a dated ``StageMove`` row (history, never edited). What each stage produced is
  counted live by the apps that own it (``hooks.register_stage_figure``).
- **小红帽 rounds** (``Round``): door-to-door rounds by volunteers and workers over the
  area. A household visit (``visits``) its worker records while a round of theirs is
  open and covers the household is linked to it (``RoundVisit``): its needs already
  become demands (visits → demands). Where there is no household, a **stop** at a
  street address (``RoundStop``, the address encrypted) records the wish; demands makes
  the demand (``hooks.on_round_wish``).
- **小广播 broadcasts** (``Broadcast``): a notice to the residents bound to households of
  an area (or those with a tag) through the in-app centre, with a question; each
  ``BroadcastAnswer`` (one per resident) becomes a demand (``hooks.on_broadcast_answered``).
  Reach (residents addressed) is kept at sending; reads are the notifications read.
- **安居包 packages** (``Package``): services or goods offered to households; ``TakeUp``
  records each household's answer once (taken or refused).
- **Results** (``Result``, 成果): items the campaign presents: title, summary, figures,
  photos, published_at. The link to cases (``shezhi.cases``) comes when that app lands.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shezhi.core.personal_data import EncryptedTextField


class Stage(models.TextChoices):
    """The five-step loop, in order."""

    COLLECT = "collect", _("Collect demands")  # 挖掘需求
    PUBLISH = "publish", _("Publish lists")  # 发布清单
    INCUBATE = "incubate", _("Incubate organisations")  # 培育主体
    SHARE = "share", _("Share cases")  # 分享案例
    PRESENT = "present", _("Present results")  # 推出成果


STAGE_ORDER = [s.value for s in Stage]


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    summary = models.TextField(_("summary"), blank=True)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("organisers")
    )
    organiser_people = models.ManyToManyField(
        "people.Person", blank=True, related_name="+", verbose_name=_("organising people")
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=Stage.choices, default=Stage.COLLECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="campaign_path_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StageMove(models.Model):
    """A dated move of a campaign to a stage (the first: its creation at 挖掘需求)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="moves")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    at = models.DateTimeField(_("moved at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.stage}"


class Round(models.Model):
    """A 小红帽 door-to-door round over an area of the campaign (a community, a grid)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Under way")
        CLOSED = "closed", _("Finished")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(_("title"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("day"))
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="campaign_rounds", verbose_name=_("workers")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("door-to-door round")
        verbose_name_plural = _("door-to-door rounds")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="round_path_idx")]

    def __str__(self) -> str:
        return self.title


class RoundVisit(models.Model):
    """A household visit made on a round (linked when its worker recorded it)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="visits")
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.CASCADE, related_name="+", verbose_name=_("visit")
    )

    class Meta:
        verbose_name = _("round visit")
        verbose_name_plural = _("round visits")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.visit_id}"


class RoundStop(models.Model):
    """A door knocked at a street address with no household on record; the wish heard
    there becomes a demand (``hooks.on_round_wish``)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stops")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    address = EncryptedTextField(_("address"))
    wish = models.TextField(_("wish heard"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("round stop")
        verbose_name_plural = _("round stops")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.pk}"


class Broadcast(models.Model):
    """A 小广播: a notice with a question to the residents of an area (or a tag)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="broadcasts")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    tag = models.CharField(_("residents with tag"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("notice"), max_length=1000)
    question = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("demand kind of the answers"), max_length=20, default="other")
    reach = models.PositiveIntegerField(_("residents addressed"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="broadcast_path_idx")]

    def __str__(self) -> str:
        return self.title


class BroadcastAnswer(models.Model):
    """A resident's answer to a broadcast's question: once per resident."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("broadcast answer")
        verbose_name_plural = _("broadcast answers")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "user"], name="answer_once_per_resident")
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id}: {self.pk}"


class Package(models.Model):
    """A 安居包: services or goods offered to the households of an area."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(_("name"), max_length=100)
    contents = models.TextField(_("what it holds"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="package_path_idx")]

    def __str__(self) -> str:
        return self.name


class TakeUp(models.Model):
    """A household's answer to a package: taken or refused, once per household."""

    class Answer(models.TextChoices):
        TAKEN = "taken", _("Taken")
        REFUSED = "refused", _("Refused")

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="take_ups")
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("take-up")
        verbose_name_plural = _("take-ups")
        constraints = [
            models.UniqueConstraint(fields=["package", "household"], name="take_up_once")
        ]

    def __str__(self) -> str:
        return f"{self.package_id}: {self.household_id} {self.answer}"


class Result(models.Model):
    """A result (成果) the campaign presents. ``figures``: [{"label": …, "value": int}];
    ``cases``: the published cases (典型案例) of the campaign's area that tell its story."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results")
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("summary"), max_length=2000)
    figures = models.JSONField(_("figures"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to="campaigns/results/", blank=True)
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="+", verbose_name=_("cases")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign result")
        verbose_name_plural = _("results")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title
