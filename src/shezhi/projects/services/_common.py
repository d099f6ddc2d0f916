"""What the services share: input checks, the project's lock and save, the shared
record of who took part, and how fen are shown."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core import inputs
from shezhi.core.errors import BadInput
from shezhi.core.participation import Way, record_participation

from .. import ledger
from ..models import (
    DistrictProjectRules,
    MoneyAccount,
    MoneyTransfer,
    Project,
)

Kind = MoneyAccount.Kind
T = MoneyTransfer.Kind
Stage = Project.Stage
TITLE_MAX = 100
TEXT_MAX = 2000
NAME_MAX = 50
# The most one movement may carry: 10 million yuan (a typo guard, far above any project).
AMOUNT_MAX = 1_000_000_000


# ---------------------------------------------------------------------------
# Input checks


def _text(value, limit: int, field: str, *, required: bool = True) -> str:
    """``core.inputs.text``, required unless told (a project's texts mostly are)."""
    return inputs.text(value, limit, field, required=required)


def _fen(value, field: str) -> int:
    """A positive whole number of fen."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(_("An amount is a whole number of fen."), field=field)
    if value <= 0:
        raise BadInput(_("The amount must be more than zero."), field=field)
    if value > AMOUNT_MAX:
        raise BadInput(_("The amount is too large."), field=field)
    return value


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _district(area: Area) -> Area:
    return Area.objects.defer("boundary").get(path=area.path[: Area.steplen])


def _community(area: Area) -> Area:
    if c.LEVEL_INDEX[area.level] < c.LEVEL_INDEX[c.COMMUNITY]:
        raise BadInput(_("A project serves a community or a place inside one."), field="area")
    return Area.objects.defer("boundary").get(path=area.path[: 3 * Area.steplen])


def rules_for(district: Area) -> DistrictProjectRules:
    """The district's rules (the defaults until it sets its own)."""
    found = DistrictProjectRules.objects.filter(district=district).first()
    return found or DistrictProjectRules(district=district)


def _locked(project: Project) -> Project:
    """The project re-read under its row lock, its holding accounts locked too."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ledger.lock(project.account_id, project.reserve_id)
    return project


MONEY_COUNTERS = {"paid_in", "matched"}


def _save(project: Project, *fields: str) -> None:
    """Write ``fields``: the money counters by one UPDATE (the payment, refund or reversal
    that moved them is in the audit log with its actor), the rest through ``save`` so the
    audit log records who changed the stage."""
    counters = [f for f in fields if f in MONEY_COUNTERS]
    others = [f for f in fields if f not in MONEY_COUNTERS]
    if counters:
        Project.objects.filter(pk=project.pk).update(**{f: getattr(project, f) for f in counters})
    if others:
        project.save(update_fields=others)


def _took_part(project: Project, user, at: datetime) -> None:
    """The shared record of who took part (issue 16 §6): once per resident and project,
    whether they proposed, backed or paid."""
    record_participation(way=Way.PROJECT, area=project.area_path, at=at, source=project, user=user)


# ---------------------------------------------------------------------------
# Display


def yuan(fen: int) -> str:
    """Fen shown as yuan with two decimals: 123456 → "¥1,234.56" (no floats)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def masked_name(name: str) -> str:
    """A payer's name as the public accounts show it: the first character, then one
    star (张三 → 张*, 欧阳娜娜 → 欧*)."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else "*"
