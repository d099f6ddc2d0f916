"""Importing a roster: who may, and the writes (bulk, audited, one transaction)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import personal_data as pd

from .. import permissions
from ..models import Assignment, Person
from .checks import _chunks
from .reading import Progress, read_roster
from .results import RosterOutcome, RosterRecord, RowError

logger = logging.getLogger(__name__)


# Rows written per bulk statement (and per progress report while writing).
BATCH = 1000


# --- importing ---------------------------------------------------------------------


def manager_paths(actor) -> list[str] | None:
    """Paths of the areas whose workforce ``actor`` manages; None: everywhere (a system
    import, with no actor, too)."""
    if actor is None:
        return None
    # Fresh: an import may run long after its upload, or follow a change of roles.
    held = permissions.scope_areas(actor, "manage", fresh=True)
    return None if held is None else [a.path for a in held]


def can_import_rosters(user) -> bool:
    return manager_paths(user) != []


def import_roster(
    *,
    actor,
    data: bytes,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
    max_rows: int = 50_000,
) -> RosterOutcome:
    """Check a roster and write it: every row, or (``valid_rows_only``) the valid ones.

    All or nothing by default: with any error nothing is written and every error
    is reported. ``actor`` may write only inside the areas whose workforce they
    manage (None: a system import, anywhere). One transaction; people, their
    assignments and their audit entries are written in bulk.
    """
    paths = manager_paths(actor)
    if paths == []:
        raise PermissionDenied(_("You do not manage the workforce of any area."))

    def read_progress(done: int, total: int) -> None:
        if progress:
            progress(done, 2 * total)

    read = read_roster(data, max_rows=max_rows, within=paths, progress=read_progress)
    outcome = RosterOutcome(read=read, valid_rows_only=valid_rows_only)
    if (read.errors and not valid_rows_only) or not read.records:
        return outcome
    if read.fatal:
        return outcome
    try:
        _write(read.records, actor=actor, outcome=outcome, progress=progress)
    except IntegrityError:
        logger.info("roster import: a concurrent change conflicted", exc_info=True)
        outcome.people_created = outcome.assignments_created = outcome.rows_imported = 0
        outcome.extra_errors.append(
            RowError(
                0,
                "",
                "",
                _(
                    "Someone else registered one of these people or responsible workers "
                    "while the file was being checked; nothing was written. Import it again."
                ),
            )
        )
        return outcome
    outcome.written = True
    return outcome


def _person(record: RosterRecord) -> Person:
    person = Person(
        area=record.area,
        name=record.name,
        gender=record.gender,
        category=record.category,
        force_type=record.force_type,
        party_member=record.party_member,
        veteran=record.veteran,
        group_leader=record.group_leader,
        employer=record.employer,
        lives_in=record.lives_in,
        works_in=record.works_in,
    )
    # Values are normalised and validated already; encryption happens as they are saved.
    if record.phone:
        person.phone = record.phone
        person.phone_index = pd.blind_index(pd.PHONE, record.phone)
        person.phone_last4 = record.phone[-4:]
    if record.id_number:
        person.id_number = record.id_number
        person.id_number_index = pd.blind_index(pd.ID_NUMBER, record.id_number)
        person.id_number_last4 = record.id_number[-4:]
    return person


def _write(
    records: list[RosterRecord], *, actor, outcome: RosterOutcome, progress: Progress | None
) -> None:
    total = len(records)
    done_before = outcome.read.rows
    with transaction.atomic():
        for batch in _chunks(records, BATCH):
            people = [_person(rec) for rec in batch]
            Person.objects.bulk_create(people, batch_size=BATCH)
            assignments = [
                Assignment(person=p, area=a.area, role=a.role, started_on=a.started_on)
                for p, rec in zip(people, batch, strict=True)
                for a in rec.assignments
            ]
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            _audit_created([*people, *assignments], actor)
            outcome.people_created += len(people)
            outcome.assignments_created += len(assignments)
            outcome.rows_imported += len(batch)
            if progress:
                written = outcome.rows_imported * done_before // max(total, 1)
                progress(done_before + written, 2 * done_before)


def _audit_created(objs: Sequence, actor) -> None:
    """Audit-log entries for bulk-created rows, as django-auditlog writes for one save."""
    if not objs or not django_apps.is_installed("auditlog"):
        return
    from auditlog.cid import get_cid
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import smart_str

    json_changes = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    cid = get_cid()
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    entries = []
    for obj in objs:
        model = type(obj)
        if not auditlog.contains(model):
            continue
        changes = model_instance_diff(None, obj, use_json_for_changes=json_changes)
        extra = getattr(obj, "get_additional_data", None)
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(model),
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=smart_str(obj),
                action=LogEntry.Action.CREATE,
                changes=changes,
                actor_id=actor_id,
                cid=cid,
                timestamp=now,
                additional_data=extra() if callable(extra) else None,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)
