"""A task whose worker died mid-task is taken up again after the timeout.

django-tasks-db marks a claimed task RUNNING; a worker killed before it finished
left it so for ever, and nobody ran it again.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from shezhi.core.models import WorkerBeat
from shezhi.core.worker import Heartbeat, requeue_abandoned_tasks, worker_identity

ROOT = Path(__file__).resolve().parents[2]
READY, RUNNING, FAILED = (
    TaskResultStatus.READY,
    TaskResultStatus.RUNNING,
    TaskResultStatus.FAILED,
)


def running_task(*, started_minutes_ago: float, workers: list[str]) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=started_minutes_ago),
        worker_ids=workers,
        args_kwargs={"args": ["/tmp/nothing"], "kwargs": {}},
        task_path="tests.core.worker_tasks.hang_first_time",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
    )


@pytest.mark.django_db
def test_only_tasks_of_dead_workers_past_the_timeout_are_taken_up_again(settings):
    settings.SHEZHI_TASK_TIMEOUT_SECONDS = 300
    settings.SHEZHI_TASK_MAX_ATTEMPTS = 3
    now = timezone.now()
    WorkerBeat.objects.create(
        worker_id="live", host="h", pid=1, started_at=now, beat_at=now - dt.timedelta(seconds=20)
    )
    WorkerBeat.objects.create(
        worker_id="silent", host="h", pid=2, started_at=now, beat_at=now - dt.timedelta(hours=1)
    )
    dead = running_task(started_minutes_ago=10, workers=["killed"])
    silent = running_task(started_minutes_ago=10, workers=["silent"])
    long_but_alive = running_task(started_minutes_ago=60, workers=["killed", "live"])
    recent = running_task(started_minutes_ago=1, workers=["killed"])
    poisonous = running_task(started_minutes_ago=10, workers=["a", "b", "c"])

    assert requeue_abandoned_tasks() == {"requeued": 2, "failed": 1}

    statuses = {
        t: DBTaskResult.objects.get(pk=t.pk).status
        for t in (dead, silent, long_but_alive, recent, poisonous)
    }
    assert statuses == {
        dead: READY,
        silent: READY,
        long_but_alive: RUNNING,
        recent: RUNNING,
        poisonous: FAILED,
    }
    failed = DBTaskResult.objects.get(pk=poisonous.pk)
    assert failed.exception_class_path == "shezhi.core.worker.WorkerLost"
    assert "3 times" in failed.traceback and failed.finished_at
    # a requeued task is found by the worker's own query, as any ready task
    assert set(DBTaskResult.objects.ready()) == {DBTaskResult.objects.get(pk=dead.pk), silent}
    # and nothing changes twice
    assert requeue_abandoned_tasks() == {"requeued": 0, "failed": 0}


@pytest.mark.django_db
def test_a_worker_beats_with_a_readable_identity():
    worker_id = worker_identity()
    _host, pid, _ = worker_id.split(":")
    assert int(pid) == os.getpid() and len(worker_id) <= 64
    heartbeat = Heartbeat(worker_id)
    heartbeat.tick()
    first = WorkerBeat.objects.get(worker_id=worker_id)
    assert first.host and first.pid == os.getpid()
    heartbeat.tick()
    assert WorkerBeat.objects.get(worker_id=worker_id).beat_at >= first.beat_at


def shezhi(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "shezhi", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def task_row(db: Path) -> tuple[str, str]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT status, return_value FROM django_tasks_database_dbtaskresult"
        ).fetchone()
    return row or ("", "")


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_a_worker_killed_mid_task_leaves_it_to_the_next_worker(tmp_path):
    """Real workers on a SQLite file: the first is killed -9 mid-task, the second finishes it."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SHEZHI_SECRET_KEY"}}
    env.update(
        SHEZHI_DATA_DIR=str(data),
        SHEZHI_TASK_TIMEOUT_SECONDS="2",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    db = data / "shezhi.sqlite3"
    marker = tmp_path / "started"
    assert shezhi("migrate", "--verbosity", "0", env=env).wait(timeout=300) == 0
    enqueue = shezhi(
        "shell",
        "--no-imports",
        "-c",
        "from tests.core.worker_tasks import hang_first_time; "
        f"hang_first_time.enqueue({str(marker)!r})",
        env=env,
    )
    assert enqueue.wait(timeout=120) == 0

    first = shezhi("db_worker", "--interval", "0.2", "--no-startup-delay", env=env)
    second = None
    try:
        assert wait_for(marker.exists, 60), "the first worker never started the task"
        assert task_row(db)[0] == RUNNING
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert task_row(db)[0] == RUNNING  # what the dead worker leaves behind

        second = shezhi("db_worker", "--interval", "0.2", "--no-startup-delay", env=env)
        assert wait_for(lambda: task_row(db)[0] == TaskResultStatus.SUCCESSFUL, 60), task_row(db)
        assert task_row(db)[1] == '"second"'
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
