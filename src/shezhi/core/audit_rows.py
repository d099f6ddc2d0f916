"""The audit log's creation entry for a row written by hand-built SQL (the hottest paths).

``auditlog`` writes its entry from the model's ``post_save`` signal, one INSERT of its
own. A path that writes its row inside one bigger statement (``rows.insert_sql``) asks
``creation_entry`` for the same entry, unsaved, and writes it in that statement:
the fields are filled the way ``auditlog.receivers.log_create`` fills them (diff against
nothing, repr, additional data, correlation id) and the actor, address and port the way
``set_actor`` fills them (its ``pre_save`` receiver on the entry).

``creation_entries`` (a batch) builds them without auditlog's diff machinery, which was
the largest part of a batch's Python: the fields the diff walks are found once per model
(the same set, in the same order), the old value of each is the ``"None"`` that
``get_field_value`` gives for no instance (without raising and catching at every field),
and the actor is filled once when ``set_actor``'s receiver alone listens and would fill
every entry the same (a test holds the entries to auditlog's own, field for field).

``replaceable(model)`` says when this is the same as ``save()``: no receiver but the
audit log's own listens to the model's saves, and nothing listens to ``pre_log`` /
``post_log``; otherwise the caller goes through ``save()``.
"""

from __future__ import annotations

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import _set_extra_data, auditlog_disabled, auditlog_value
from auditlog.diff import get_field_value, get_fields_in_model, model_instance_diff
from auditlog.receivers import log_create, log_update
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.utils.encoding import smart_str

_AUDITLOG_RECEIVERS = {log_create, log_update}


def _receivers(signal, model) -> list:
    # Django's own lookup of the receivers for a sender (sync ones; none are async here).
    found = signal._live_receivers(model)
    sync = found[0] if isinstance(found, tuple) else found
    return list(sync)


def replaceable(model) -> bool:
    """May a creation of ``model`` be written by SQL with ``creation_entry`` as its log?"""
    if pre_log.has_listeners() or post_log.has_listeners():
        return False
    theirs = set(_receivers(pre_save, model)) | set(_receivers(post_save, model))
    return theirs <= _AUDITLOG_RECEIVERS


def _diff_plan(instance) -> list[tuple]:
    """The fields ``model_instance_diff(None, new)`` walks for ``model``, in its order (the
    same set of the same fields, built the same way, iterates the same in one process),
    each with how its value is read: ``"attname"`` for a foreign key (its id as
    ``get_field_value`` reads it), ``"plain"`` for a field of an exact simple class (its
    value as it is), None for every other (``get_field_value`` itself)."""
    model = type(instance)
    plan = _diff_plans.get(model)
    if plan is None:
        fields = set(get_fields_in_model(instance))
        chosen = auditlog.get_model_fields(model)
        if chosen["include_fields"]:
            fields = [f for f in fields if f.name in chosen["include_fields"]]
        if chosen["exclude_fields"]:
            fields = [f for f in fields if f.name not in chosen["exclude_fields"]]
        plan = []
        for f in fields:
            if (
                not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
                and (f.one_to_one or f.many_to_one)
                and hasattr(f, "rel_class")
                and f.concrete
            ):
                how = "attname"
            elif type(f) in _PLAIN:
                how = "plain"
            else:
                how = None
            plan.append((f, f.name, f.attname if f.concrete else None, how))
        _diff_plans[model] = plan
    return plan


_diff_plans: dict[type, list[tuple]] = {}
# Fields whose value ``get_field_value`` reads as ``smart_str(getattr(obj, name))``.
_PLAIN = (
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField,
    models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
    models.PositiveBigIntegerField, models.PositiveSmallIntegerField, models.CharField,
    models.TextField, models.BooleanField,
)  # fmt: skip


def creation_changes(instance) -> dict | None:
    """``model_instance_diff(None, instance)`` as the audit log stores it (no JSON
    changes, no masked fields; otherwise auditlog's own), without walking the model's
    fields and raising for the missing old instance at every field: the old value of
    every field is then ``"None"``, as ``get_field_value(None, …)`` gives it."""
    model = type(instance)
    if settings.AUDITLOG_STORE_JSON_CHANGES or auditlog.get_model_fields(model)["mask_fields"]:
        return model_instance_diff(
            None, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
    diff = {}
    for f, name, attname, how in _diff_plan(instance):
        if how == "attname":
            value = smart_str(getattr(instance, attname), strings_only=True)
        elif how == "plain":
            value = smart_str(getattr(instance, name))
        else:
            value = get_field_value(instance, f, False)
        if value != "None":
            diff[name] = ("None", smart_str(value))
    return diff or None


def creation_entry(instance):
    """The entry ``auditlog`` would write for ``instance`` just created (its pk set), or
    None when it would write none (the model is not registered, or logging is off)."""
    entries = creation_entries([instance])
    return entries[0] if entries else None


def _context_fill() -> tuple[dict, dict] | None:
    """What the receivers of the entries' ``pre_save`` set on every entry, when that is
    the same for all of them: only ``set_actor``'s receiver listens and its context holds
    no callable (evaluated per entry): (attributes, related objects cached); None
    otherwise (each entry is then sent on its own)."""
    LogEntry = get_logentry_model()
    for receiver in _receivers(pre_save, LogEntry):
        if getattr(receiver, "func", None) is not _set_extra_data:
            return None
    try:
        context = auditlog_value.get()
    except LookupError:
        return {}, {}
    if any(callable(v) for k, v in context.items() if k != "actor"):
        return None
    probe = LogEntry()
    before = dict(probe.__dict__)
    pre_save.send(sender=LogEntry, instance=probe, raw=False, using="default", update_fields=None)
    filled = {k: v for k, v in vars(probe).items() if k != "_state" and before.get(k, k) is not v}
    return filled, dict(probe._state.fields_cache)


def creation_entries(instances: list) -> list:
    """``creation_entry`` of each of ``instances`` (one model, pks set), in order; empty
    when the audit log writes none for them. The model's fields are looked at once, and
    the actor, address and port are filled once and given to every entry when the
    receivers that fill them would fill every entry the same."""
    if not instances:
        return []
    model = type(instances[0])
    if not auditlog.contains(model) or auditlog_disabled.get():
        return []
    LogEntry = get_logentry_model()
    content_type = ContentType.objects.get_for_model(model)
    serialize = auditlog.get_serialize_options(model)["serialize_data"]
    get_cid_once = get_cid()
    fill = _context_fill()
    entries = []
    for instance in instances:
        kwargs = {
            "action": LogEntry.Action.CREATE,
            "changes": creation_changes(instance),
            "content_type": content_type,
            "object_pk": instance.pk,
            "object_repr": smart_str(instance),
            "serialized_data": (
                LogEntry.objects._get_serialized_data_or_none(instance) if serialize else None
            ),
            "cid": get_cid_once,
        }
        if isinstance(instance.pk, int):
            kwargs["object_id"] = instance.pk
        get_additional_data = getattr(instance, "get_additional_data", None)
        if callable(get_additional_data):
            kwargs["additional_data"] = get_additional_data()
        entry = LogEntry(**kwargs)
        if fill is None:
            # set_actor's receiver fills the actor, address and port, as on a real save.
            pre_save.send(
                sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None
            )
        else:
            entry.__dict__.update(fill[0])
            entry._state.fields_cache.update(fill[1])
        entries.append(entry)
    return entries
