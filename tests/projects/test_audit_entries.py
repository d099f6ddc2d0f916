"""core.audit_rows builds the entry auditlog writes for a created row without auditlog's
diff machinery (the batch's and the one-statement payment's audit log): it must be the
entry auditlog itself writes, field for field, for every model it is used with and the
registered models around it (SQLite and PostgreSQL)."""

from __future__ import annotations

from auditlog.context import set_actor, set_extra_data
from auditlog.models import LogEntry
from auditlog.receivers import log_create
from django.db.models.signals import pre_save

from shezhi.core import audit_rows
from shezhi.projects.models import CommunityFund, Expense, Payment, Project

FIELDS = (
    "action", "changes", "content_type_id", "object_pk", "object_id", "object_repr",
    "serialized_data", "additional_data", "actor_id", "actor_email", "remote_addr",
    "remote_port", "cid",
)  # fmt: skip


def _as_written(entry) -> dict:
    """An entry as the database gives it back (tuples as lists, ids as written)."""
    return {f: getattr(entry, f) for f in FIELDS}


def _built(instance) -> dict:
    """The entry audit_rows builds for ``instance``, saved as auditlog saves its own."""
    [entry] = audit_rows.creation_entries([instance])
    entry.save()
    return _as_written(LogEntry.objects.get(pk=entry.pk))


def _logged(instance) -> dict:
    """The entry auditlog itself writes for ``instance`` created as it is now (its own
    ``post_save`` receiver, called as the save calls it)."""
    before = set(LogEntry.objects.values_list("pk", flat=True))
    log_create(sender=type(instance), instance=instance, created=True)
    [entry] = LogEntry.objects.exclude(pk__in=before)
    return _as_written(entry)


def _rows(world):
    """Created rows of the registered models, with ids, nulls, dates, files and excluded
    fields: the payment (a pledge and a transfer left empty, its payer name excluded),
    a project (excluded texts), an expense, a fund."""
    from shezhi.projects import services

    project = world.funding(target=100_000)
    payment = services.record_payment(
        actor=world.staff, project=project, payer_name="张三", amount=3_001,
        channel="wechat", reference="audit-1",
    ).payment  # fmt: skip
    bare = Payment(
        project=project, payer_name="李四", amount=7, channel="alipay", reference="audit-2",
        recorded_by=world.staff, at=payment.at,
    )  # fmt: skip
    bare.save()
    expense = Expense.objects.filter(project__isnull=False).first()
    return [
        Payment.objects.get(pk=payment.pk),
        bare,
        Project.objects.get(pk=project.pk),
        CommunityFund.objects.get(pk=world.fund.pk),
        *([expense] if expense else []),
    ]


def test_the_entries_built_are_those_auditlog_writes(world):
    rows = _rows(world)
    with set_actor(world.staff, remote_addr="10.0.0.7", remote_port=4242):
        for row in rows:
            assert _built(row) == _logged(row), type(row).__name__


def test_entries_of_a_batch_take_the_actor_once_or_each_when_the_context_varies(world):
    rows = _rows(world)
    with set_actor(world.staff, remote_addr="10.0.0.8"):
        entries = audit_rows.creation_entries(rows[:2])
        assert [e.actor_id for e in entries] == [world.staff.pk] * 2
        assert [e.remote_addr for e in entries] == ["10.0.0.8"] * 2
        assert entries[0].actor == world.staff
    # A callable in the context is called for each entry, as its receiver calls it.
    calls = []

    def port():
        calls.append(1)
        return 5000 + len(calls)

    with set_extra_data({"actor": world.staff, "remote_port": port}):
        entries = audit_rows.creation_entries(rows[:2])
    assert [e.remote_port for e in entries] == [5001, 5002]
    # Another receiver of the entries' pre_save: each entry is sent to it.
    seen = []

    def receiver(sender, instance, **kw):
        seen.append(instance.object_pk)

    pre_save.connect(receiver, sender=LogEntry, weak=False)
    try:
        with set_actor(world.staff):
            entries = audit_rows.creation_entries(rows[:2])
    finally:
        pre_save.disconnect(receiver, sender=LogEntry)
    assert seen == [rows[0].pk, rows[1].pk]
    assert [e.actor_id for e in entries] == [world.staff.pk] * 2


def test_no_entries_for_an_unregistered_model_or_with_the_log_off(world):
    from auditlog.context import disable_auditlog

    from shezhi.projects.models import MoneyEntry

    assert audit_rows.creation_entries([MoneyEntry(pk=1, transfer_id=1, account_id=1)]) == []
    with disable_auditlog():
        assert audit_rows.creation_entries(_rows(world)[:1]) == []
