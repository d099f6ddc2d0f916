"""The background worker's heartbeat, and the recovery of tasks whose worker died.

django-tasks-db marks a task ``RUNNING`` when a worker claims it and ``SUCCESSFUL``
or ``FAILED`` when it ends; a worker killed in between (OOM, ``kill -9``, a power
cut) leaves it ``RUNNING`` for ever, and nobody runs it again. So every worker
started by ``shezhi db_worker`` writes a :class:`WorkerBeat` every few seconds from
a thread of its own, and on each beat takes up again the tasks that:

- have been running longer than ``SHEZHI_TASK_TIMEOUT_SECONDS``, and
- whose worker has not been heard from for as long (killed, or its host gone).

Such a task goes back to ``READY`` and the next free worker runs it again (the
project's tasks are written to be run twice safely: an upload job is claimed once,
an import is one transaction). A task whose workers died ``SHEZHI_TASK_MAX_ATTEMPTS``
times is marked ``FAILED`` instead, so that one poisonous task cannot kill every
worker in turn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import DatabaseError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerBeat

logger = logging.getLogger("shezhi.worker")

LOST = "shezhi.core.worker.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task stopped without finishing it, too many times."""


def task_timeout() -> int:
    return int(getattr(settings, "SHEZHI_TASK_TIMEOUT_SECONDS", 300))


def max_attempts() -> int:
    return int(getattr(settings, "SHEZHI_TASK_MAX_ATTEMPTS", 3))


def beat_every() -> float:
    """Often enough that a live worker is never taken for a dead one."""
    return max(1.0, min(30.0, task_timeout() / 10))


def worker_identity() -> str:
    """``host:pid:random``, at most 64 characters (django-tasks-db's limit)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"[:64]


def beat(worker_id: str, *, started_at: dt.datetime | None = None) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={
            "beat_at": now,
            "started_at": started_at or now,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def requeue_abandoned_tasks(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Take up again the running tasks whose worker is gone; returns how many of each.

    Safe to run from every worker at once: each row changes only if it is still the
    same running attempt (status and start time) that was judged abandoned.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=task_timeout())
    stale = list(
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .only("id", "started_at", "worker_ids", "task_path")
    )
    done = {"requeued": 0, "failed": 0}
    if not stale:
        return done
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    for task in stale:
        last_worker = task.worker_ids[-1] if task.worker_ids else None
        if last_worker in alive:
            continue  # a long task of a live worker: leave it alone
        same_attempt = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if len(task.worker_ids) >= max_attempts():
            changed = same_attempt.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LOST,
                traceback=(
                    f"{LOST}: the worker running this task stopped without finishing it "
                    f"{len(task.worker_ids)} times ({', '.join(task.worker_ids)})."
                ),
            )
            done["failed"] += changed
            if changed:
                logger.error("Task %s (%s) failed: its workers died", task.pk, task.task_path)
        else:
            changed = same_attempt.update(status=TaskResultStatus.READY)
            done["requeued"] += changed
            if changed:
                logger.warning(
                    "Task %s (%s) taken up again: worker %s stopped mid-task",
                    task.pk,
                    task.task_path,
                    last_worker,
                )
    return done


def forget_old_workers(*, now: dt.datetime | None = None) -> None:
    """Drop the beats of workers gone for a day: the table lists who runs now."""
    now = now or timezone.now()
    WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()


class Heartbeat(threading.Thread):
    """Beats for ``worker_id`` and recovers abandoned tasks until stopped."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at)
            requeue_abandoned_tasks()
            forget_old_workers()
        except DatabaseError:
            # A long write elsewhere may hold SQLite's lock past the busy timeout:
            # the next beat tries again, well within the task timeout.
            logger.warning("Worker heartbeat could not be written", exc_info=True)

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                # This thread's own connection, dropped when broken or past its age (in
                # the loop, not in tick(): a caller's thread keeps its connection).
                close_old_connections()
                self.tick()
                self.stopped.wait(beat_every())
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)
        with contextlib.suppress(DatabaseError):
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
