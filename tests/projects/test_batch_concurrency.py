"""Two payment batches (``services.record_payments``) on the same project at the same
moment, each from its own thread and connection, on PostgreSQL (row locks; SQLite's
in-memory test database does not wait on locks, see tests/operations/test_concurrency.py).

The second batch waits on the first one's project lock, then must see what the first
wrote: its ``paid_in`` and ``matched`` (re-read by the lock) and its number of match
transfers, counted after the lock (a count read in the locking statement would see the
snapshot from before the wait, reuse the first batch's match cause keys and fail on
them, rolling the whole batch back for a retry). The end: every payment recorded once,
balances exact to the fen, no match above the ratio, the ledger proved by
``money_check``'s own logic, and no batch written twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shezhi.projects import ledger, services
from shezhi.projects.models import MoneyTransfer, Payment, Project
from shezhi.projects.services import batch

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="threads on PostgreSQL (see the docstring)"
    ),
]

LINES = 150  # per batch: enough that the two overlap
# Odd amounts: the match ⌊paid × 5000 / 10000⌋ rounds at almost every line.
AMOUNTS = [101 + 37 * (i % 11) for i in range(LINES)]


def _lines(project_ids, tag):
    return [
        {
            "project": project_ids[i % len(project_ids)],
            "payer_name": "张三",
            "amount": amount,
            "channel": "wechat",
            "reference": f"{tag}-{i}",
        }
        for i, amount in enumerate(AMOUNTS)
    ]


def _race(world, batches, monkeypatch):
    """Run each batch of ``batches`` in its own thread, all released together; returns
    their answers (or the exception each raised) and how often a batch was written
    (``_record`` runs once per batch unless the batch was rolled back and retried)."""
    writes = []
    record = batch._record

    def counted(*args, **kwargs):
        writes.append(1)
        return record(*args, **kwargs)

    monkeypatch.setattr(batch, "_record", counted)
    actor = world.staff
    barrier = threading.Barrier(len(batches))
    results: dict[int, object] = {}

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = services.record_payments(actor=actor, lines=batches[i])
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a batch never finished (a deadlock?)"
    return results, len(writes)


def _exact(project: Project, paid: int) -> None:
    project = Project.objects.get(pk=project.pk)
    matched = paid * project.match_ratio_bp // 10000  # the cap is far above
    assert (project.paid_in, project.matched) == (paid, matched)
    assert services.match_target(project, paid) == matched
    assert ledger.balance(project.account_id) == ledger.entries_sum(project.account_id)
    assert ledger.balance(project.account_id) == paid + matched
    assert ledger.balance(project.reserve_id) == project.match_cap - matched
    assert ledger.stream_sum(project, "match", "match_return") == matched
    # One match transfer per payment that drew one, each under its own cause key.
    keys = list(
        MoneyTransfer.objects.filter(project=project, stream="match").values_list(
            "cause_id", flat=True
        )
    )
    assert len(keys) == len(set(keys))
    assert sorted(int(k.split(":")[1]) for k in keys) == list(range(len(keys)))


def test_two_batches_on_one_project_at_once_end_exact(world, monkeypatch):
    world.rules(match_cap=1_000_000)
    world.allocate(2_000_000)
    project = world.funding(target=1_000_000)
    results, writes = _race(
        world, [_lines([project.pk], "a"), _lines([project.pk], "b")], monkeypatch
    )
    assert all(isinstance(r, list) for r in results.values()), results
    assert all(r.created for answers in results.values() for r in answers)
    assert writes == 2, "a batch was rolled back and written again"
    assert Payment.objects.filter(project=project).count() == 2 * LINES
    _exact(project, 2 * sum(AMOUNTS))
    check = ledger.check()
    assert check.ok, check.lines()
    assert check.match_above_ratio == []


def test_two_batches_over_two_projects_in_opposite_orders_do_not_deadlock(world, monkeypatch):
    world.rules(match_cap=1_000_000)
    world.allocate(2_000_000)
    one = world.funding(target=1_000_000)
    two = world.funding(target=1_000_000)
    results, writes = _race(
        world, [_lines([one.pk, two.pk], "a"), _lines([two.pk, one.pk], "b")], monkeypatch
    )
    assert all(isinstance(r, list) for r in results.values()), results
    assert writes == 2
    # Each project got every other line of both batches.
    for project in (one, two):
        _exact(project, sum(AMOUNTS))
    assert ledger.check().ok, ledger.check().lines()
