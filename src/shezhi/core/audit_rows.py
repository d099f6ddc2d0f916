"""The audit log's creation entry for a row written by hand-built SQL (the hottest paths).

``auditlog`` writes its entry from the model's ``post_save`` signal, one INSERT of its
own. A path that writes its row inside one bigger statement (``rows.insert_sql``) asks
``creation_entry`` for the same entry, unsaved, and writes it in that statement:
the fields are filled the way ``auditlog.receivers.log_create`` fills them (diff against
nothing, repr, additional data, correlation id) and the actor, address and port the way
``set_actor`` fills them (its ``pre_save`` receiver on the entry).

``replaceable(model)`` says when this is the same as ``save()``: no receiver but the
audit log's own listens to the model's saves, and nothing listens to ``pre_log`` /
``post_log``; otherwise the caller goes through ``save()``.
"""

from __future__ import annotations

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.receivers import log_create, log_update
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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


def creation_entry(instance):
    """The entry ``auditlog`` would write for ``instance`` just created (its pk set), or
    None when it would write none (the model is not registered, or logging is off)."""
    if not auditlog.contains(type(instance)) or auditlog_disabled.get():
        return None
    LogEntry = get_logentry_model()
    changes = model_instance_diff(
        None, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
    )
    kwargs = {
        "action": LogEntry.Action.CREATE,
        "changes": changes,
        "content_type": ContentType.objects.get_for_model(instance),
        "object_pk": instance.pk,
        "object_repr": smart_str(instance),
        "serialized_data": LogEntry.objects._get_serialized_data_or_none(instance),
        "cid": get_cid(),
    }
    if isinstance(instance.pk, int):
        kwargs["object_id"] = instance.pk
    get_additional_data = getattr(instance, "get_additional_data", None)
    if callable(get_additional_data):
        kwargs["additional_data"] = get_additional_data()
    entry = LogEntry(**kwargs)
    # set_actor's receiver fills the actor, address and port, as on a real save.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
    return entry
