"""Reads of the audit log of the workforce and roles, scoped like everything else."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shezhi.areas.models import Area

from . import permissions
from .masking import masked
from .models import Assignment, Department, Person, RoleAssignment

AUDITED = (Person, Assignment, Department, RoleAssignment)
# Newest first (a keyset order: it ends in the id).
ORDER = ("-timestamp", "-id")


def can_read_audit_log(user) -> bool:
    return permissions.can(user, "read_audit")


def audit_entries(user, *, q: str = "") -> QuerySet[LogEntry]:
    """Changes to people, assignments, departments and roles inside the user's districts."""
    types = ContentType.objects.get_for_models(*AUDITED).values()
    qs = LogEntry.objects.filter(content_type__in=types).select_related("actor", "content_type")
    within = permissions.scope(user, "read_audit", field="additional_data__area_path")
    if within is not None:
        qs = qs.filter(within)
    if q.strip():
        qs = qs.filter(Q(object_repr__icontains=q.strip()) | Q(actor__username=q.strip()))
    return qs.order_by(*ORDER)


# ---------- what the log page shows of each entry ----------

# Columns that say nothing to a reader: the row's own id and bookkeeping stamps.
HIDDEN_FIELDS = {"id", "updated_at"}
# Personal data appear in the log only as the last four characters a masked screen shows.
MASKED_FIELDS = {"phone_last4": "phone", "id_number_last4": "id_number"}


def action_labels() -> dict[int, str]:
    return {
        LogEntry.Action.CREATE: pgettext("audit action", "Created"),
        LogEntry.Action.UPDATE: pgettext("audit action", "Changed"),
        LogEntry.Action.DELETE: pgettext("audit action", "Deleted"),
        LogEntry.Action.ACCESS: pgettext("audit action", "Viewed"),
    }


ACTION_KEYS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


@dataclass(frozen=True)
class Change:
    """One field of one entry, in words: its label, the value before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryView:
    entry: LogEntry
    when: dt.datetime
    who: str
    action: str
    action_key: str
    kind: str
    name: str
    area: str
    changes: list[Change]


def _person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _field(model, name: str):
    """The concrete field ``name`` of ``model``, or None (reverse relations, gone fields)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.auto_created and not field.concrete:
        return None  # a reverse relation: logged on the other side
    return field


def _when(raw: str, *, date_only: bool) -> str:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw
    if date_only:
        return value.date().isoformat()
    if timezone.is_naive(value):  # auditlog keeps stored (UTC) values
        value = value.replace(tzinfo=dt.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class _Related:
    """Related objects of a page of entries, fetched in one query per model."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}

    def want(self, field, raw: str) -> None:
        if raw not in ("", "None"):
            with contextlib.suppress(ValidationError, ValueError):
                self.wanted[field.related_model].add(field.related_model._meta.pk.to_python(raw))

    def fetch(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if model is Area:
                qs = qs.only("id", "code", "name")
            self.found[model] = {
                obj.pk: (_person_name(obj) if model is user_model else str(obj)) for obj in qs
            }

    def name(self, field, raw: str) -> str:
        try:
            pk = field.related_model._meta.pk.to_python(raw)
        except (ValidationError, ValueError):
            return raw
        # A deleted object: say so with its number, the only trace left.
        return self.found.get(field.related_model, {}).get(pk, _("(deleted) #%(pk)s") % {"pk": raw})


def _value(field, raw, related: _Related) -> str:
    if raw is None or raw == "None" or raw == "":
        return "—"
    raw = str(raw)
    if field.name in MASKED_FIELDS:
        return masked(MASKED_FIELDS[field.name], raw)
    if field.many_to_one or field.one_to_one:
        return related.name(field, raw)
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    internal = field.get_internal_type()
    if internal in ("BooleanField", "NullBooleanField"):
        return _("Yes") if raw == "True" else _("No") if raw == "False" else raw
    if internal in ("DateTimeField", "DateField"):
        return _when(raw, date_only=internal == "DateField")
    return raw


def _label(model, field) -> str:
    if field.name in MASKED_FIELDS:  # the masked column stands for the value itself
        field = model._meta.get_field(MASKED_FIELDS[field.name])
    return capfirst(str(field.verbose_name))


def _m2m(model, field, change: dict) -> Change | None:
    objects = "、".join(str(o) for o in change.get("objects", []))
    label = _label(model, field)
    if change.get("operation") == "add":
        return Change(label, "", _("added: %(objects)s") % {"objects": objects})
    if change.get("operation") == "delete":
        return Change(label, "", _("removed: %(objects)s") % {"objects": objects})
    if change.get("operation") == "clear":
        return Change(label, "", _("all removed"))
    return None


def present_entries(entries) -> list[EntryView]:
    """A page of log entries as a reader wants them: labels, names, local times.

    Field labels are the fields' own names (in the page's language), values of
    choices their labels, related objects their names (one query per model for the
    whole page), times local with the year; a new record lists what it was created
    with, a deleted one what it held.
    """
    entries = list(entries)
    related = _Related()
    codes = set()
    for entry in entries:
        model = entry.content_type.model_class()
        for name, change in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is not None and (field.many_to_one or field.one_to_one):
                for raw in change if isinstance(change, list | tuple) else ():
                    related.want(field, str(raw))
        if entry.additional_data and entry.additional_data.get("area_code"):
            codes.add(entry.additional_data["area_code"])
    related.fetch()
    area_names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    labels = action_labels()
    out = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, change in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is None or name in HIDDEN_FIELDS:
                continue
            if isinstance(change, dict):
                if change.get("type") == "m2m" and (m2m := _m2m(model, field, change)):
                    changes.append(m2m)
                continue
            before, after = (_value(field, raw, related) for raw in change)
            if entry.action == LogEntry.Action.CREATE:
                if after == "—":
                    continue  # a new record: only what it was given
                before = ""
            elif entry.action == LogEntry.Action.DELETE:
                before, after = after if before == "—" else before, ""
            changes.append(Change(_label(model, field), before, after))
        code = (entry.additional_data or {}).get("area_code", "")
        out.append(
            EntryView(
                entry=entry,
                when=timezone.localtime(entry.timestamp),
                who=_person_name(entry.actor) if entry.actor else _("the platform"),
                action=labels.get(entry.action, str(entry.action)),
                action_key=ACTION_KEYS.get(entry.action, "update"),
                kind=capfirst(model._meta.verbose_name if model else entry.content_type.name),
                name=entry.object_repr,
                area=area_names.get(code, code),
                changes=changes,
            )
        )
    return out
