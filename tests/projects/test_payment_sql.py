"""The payment in one statement (PostgreSQL): the same rows, audit entry, answers and
invariants as the ORM path, in four statements (BEGIN, the lock, the write, COMMIT)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from shezhi.core import audit_rows
from shezhi.core.errors import KeyReused, NotAllowed
from shezhi.projects import ledger, services
from shezhi.projects.models import MoneyEntry, MoneyTransfer, Payment, Project
from shezhi.projects.services import payment_sql

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the one-statement payment is PostgreSQL's"
)


def _pay(world, project, amount, reference, **kw):
    return services.record_payment(
        actor=world.staff, project=project, payer_name="张三", amount=amount,
        channel="wechat", reference=reference, **kw,
    )  # fmt: skip


def _rows(payment: Payment) -> dict:
    """What a payment wrote, without ids and times: to compare the two paths."""
    entry = LogEntry.objects.get(content_type__model="payment", object_id=payment.pk)
    transfers = MoneyTransfer.objects.filter(project=payment.project).order_by("pk")
    last = list(transfers)[-2:]
    return {
        "payment": (payment.amount, payment.channel, payment.status, payment.transfer.kind),
        "transfers": [(t.kind, t.stream, t.amount, t.cause_type, t.created_by_id) for t in last],
        "legs": sorted(
            MoneyEntry.objects.filter(transfer__in=last).values_list("account_id", "amount")
        ),
        "audit": (
            entry.action,
            entry.actor_id,
            entry.object_repr.split(" · ")[1],
            sorted(entry.changes),
            entry.additional_data == {"project": payment.project_id},
            entry.changes["transfer"],
        ),
    }


def test_a_payment_is_four_statements_and_writes_what_the_orm_path_writes(world, monkeypatch):
    a, b = world.funding(target=100_000), world.funding(target=100_000)
    _pay(world, a, 10, "warm-a")  # the permission check reads the community once
    _pay(world, b, 10, "warm-b")
    # The boundary account's id is cached once its transaction commits (never, in a test).
    key = (a.district_id, "payments_in")
    ledger._boundary_ids[key] = ledger.boundary_account(*key)
    with CaptureQueriesContext(connection) as q:
        fast = _pay(world, a, 3_001, "one").payment
    assert len(q.captured_queries) == 4, [x["sql"][:80] for x in q.captured_queries]
    monkeypatch.setattr(payment_sql, "usable", lambda: False)
    slow = _pay(world, b, 3_001, "orm").payment
    fast, slow = Payment.objects.get(pk=fast.pk), Payment.objects.get(pk=slow.pk)
    got, want = _rows(fast), _rows(slow)
    # Only the accounts differ (two projects): compare the amounts of the legs.
    assert [x[1] for x in got.pop("legs")] == [x[1] for x in want.pop("legs")]
    assert got == want
    assert _entries([fast]) == _entries([slow])  # the audit entry in full
    a, b = Project.objects.get(pk=a.pk), Project.objects.get(pk=b.pk)
    assert (a.paid_in, a.matched) == (b.paid_in, b.matched) == (3_011, 1_505)
    assert MoneyTransfer.objects.filter(project=a, stream="match").count() == 2
    assert sorted(a.transfers.filter(stream="match").values_list("cause_key", flat=True)) == [
        f"match:project:{a.pk}:0",
        f"match:project:{a.pk}:1",
    ]
    assert ledger.balance(a.account_id) == ledger.entries_sum(a.account_id) == 4_516
    assert ledger.check().ok


def test_a_reference_recorded_already_writes_nothing_and_answers_as_before(world):
    project = world.funding()
    first = _pay(world, project, 3_000, "dup").payment
    before = (MoneyTransfer.objects.count(), LogEntry.objects.count())
    again = _pay(world, project, 3_000, "dup")
    assert not again.created and again.payment.pk == first.pk
    assert (MoneyTransfer.objects.count(), LogEntry.objects.count()) == before
    with pytest.raises(KeyReused):
        _pay(world, project, 3_001, "dup")
    other = world.funding()
    with pytest.raises(KeyReused):
        _pay(world, other, 3_000, "dup")
    # Funding over: a new reference is refused, the one recorded is still answered.
    Project.objects.filter(pk=project.pk).update(stage=Project.Stage.DELIVERY)
    done = Project.objects.get(pk=project.pk)
    assert _pay(world, done, 3_000, "dup").payment.pk == first.pk
    with pytest.raises(NotAllowed):
        _pay(world, done, 3_000, "new")
    assert fresh_paid(project) == 3_000 and ledger.check().ok


def fresh_paid(project) -> int:
    return Project.objects.get(pk=project.pk).paid_in


def test_a_payment_that_reaches_the_cap_ends_funding_through_the_same_statement(world):
    project = world.funding(target=10_000)  # ratio 1:2, cap 10,000: full at 6,667 + 3,333
    done = _pay(world, project, 6_667, "full")
    project = Project.objects.get(pk=project.pk)
    assert done.created and project.stage == Project.Stage.DELIVERY
    assert project.paid_in + project.matched == 10_000
    assert ledger.balance(project.reserve_id) == 0 and ledger.check().ok


def test_another_receiver_of_payments_sends_it_through_the_orm(world):
    project = world.funding()
    seen = []

    def receiver(sender, instance, created, **kw):
        seen.append(instance.pk)

    post_save.connect(receiver, sender=Payment, weak=False)
    try:
        assert not audit_rows.replaceable(Payment) and not payment_sql.usable()
        done = _pay(world, project, 500, "orm-please").payment
    finally:
        post_save.disconnect(receiver, sender=Payment)
    assert seen == [done.pk] and audit_rows.replaceable(Payment)
    assert ledger.check().ok


def _entries(payments) -> list[dict]:
    """The audit entries of ``payments`` in full, the values that differ between two
    payments (ids, time, reference) named by what they are."""
    out = []
    for payment in payments:
        entry = LogEntry.objects.get(content_type__model="payment", object_id=payment.pk)
        own = {
            "id": str(payment.pk), "project": str(payment.project_id),
            "at": str(payment.at.replace(tzinfo=None)), "reference": payment.reference,
        }  # fmt: skip
        changes = {
            k: [old, k.upper() if k in own and new == own[k] else new]
            for k, (old, new) in sorted(entry.changes.items())
        }
        out.append(
            {
                "changes": changes,
                "repr": entry.object_repr == f"{payment.project_id} · {payment.amount}",
                "additional": entry.additional_data == {"project": payment.project_id},
                **{
                    f: getattr(entry, f)
                    for f in ("action", "actor_id", "actor_email", "remote_addr", "cid")
                },
                "serialized": entry.serialized_data,
            }
        )
    return out


def test_a_batch_logs_each_payment_as_the_orm_path_logs_it(world, monkeypatch):
    from shezhi.projects.services import batch

    a, b = world.funding(target=100_000), world.funding(target=100_000)
    amounts = [3_001, 7, 12_345]

    def lines(project, prefix):
        return [
            {"project": project.pk, "payer_name": "张三", "amount": x, "channel": "wechat",
             "reference": f"{prefix}{i}", "named": i == 1}
            for i, x in enumerate(amounts)
        ]  # fmt: skip

    with CaptureQueriesContext(connection) as q:
        fast = [r.payment for r in services.record_payments(actor=world.staff, lines=lines(a, "f"))]
    # The SQL path: the entries written in the batch's statement, not by auditlog.
    assert any(x["sql"].startswith("WITH audit AS") for x in q.captured_queries)
    monkeypatch.setattr(payment_sql, "usable", lambda: False)
    monkeypatch.setattr(batch.payment_sql, "usable", lambda: False)
    slow = [r.payment for r in services.record_payments(actor=world.staff, lines=lines(b, "s"))]
    got, want = _entries(fast), _entries(slow)
    assert got == want
    assert got[0]["actor_id"] == world.staff.pk
    assert got[0]["changes"]["transfer"] == ["None", "None"]
    assert ledger.check().ok
