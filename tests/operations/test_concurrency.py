"""Two workers checking one household at once, each on their own connection: one wins,
the other gets a conflict naming the winner; the tally counts the household once. On
PostgreSQL (row locks: the loser's conditional update, re-read after the winner's
commit, finds the outcome no longer blank). SQLite's test database is in memory with a
shared cache, whose table locks do not wait: there the same race is played in one
thread (tests/operations/test_services.py, a stale line losing to a recorded one)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shezhi.core.errors import Conflict
from shezhi.operations import services
from shezhi.operations.models import CheckLine, GridTally
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="threads on PostgreSQL (see the docstring)"
    ),
]


def test_two_workers_checking_one_household_cannot_both_win(op, world, territory, cast):
    other = make_user("helper", role="micro_grid_worker", area=territory["micro1"])
    workers = [cast.mg_worker, other]
    line_id = CheckLine.objects.get(operation=op, household=world.h101).pk
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def check(i: int) -> None:
        try:
            line = CheckLine.objects.select_related("operation", "micro_grid").get(pk=line_id)
            barrier.wait(timeout=10)
            done = services.record_check(
                actor=workers[i], line=line, outcome=("reached", "absent")[i],
                request_key=f"tap-{i}",
            )  # fmt: skip
            results[i] = done
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=check, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    won = [i for i, r in results.items() if not isinstance(r, Exception)]
    lost = [r for r in results.values() if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], Conflict) and lost[0].status == 409
    line = CheckLine.objects.get(pk=line_id)
    assert line.checked_by_id == workers[won[0]].pk and line.version == 1
    tally = GridTally.objects.get(operation=op, micro_grid=territory["micro1"])
    assert tally.checked == 1 and tally.reached + tally.absent == 1


def test_a_retry_racing_its_first_request_records_once(op, world, cast):
    line_id = CheckLine.objects.get(operation=op, household=world.h101).pk
    worker = cast.mg_worker  # made here, not lazily in the threads
    barrier = threading.Barrier(2)
    results: list = []

    def tap() -> None:
        try:
            line = CheckLine.objects.select_related("operation", "micro_grid").get(pk=line_id)
            barrier.wait(timeout=10)
            results.append(
                services.record_check(
                    actor=worker, line=line, outcome="reached", request_key="same"
                )
            )
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert GridTally.objects.get(operation=op, micro_grid=world.b1.micro_grid).checked == 1
