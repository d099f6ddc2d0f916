"""``shezhi db_worker``: django-tasks-db's worker, with a heartbeat and task recovery.

It takes the library command's name (``django_tasks_db`` comes after ``shezhi.core``
in INSTALLED_APPS), so every way of starting a worker (``shezhi run``, systemd units
calling ``shezhi db_worker``) gets the recovery of tasks whose worker died
(``shezhi.core.worker``). Options are the library's.
"""

from __future__ import annotations

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as library

from shezhi.core.worker import Heartbeat, worker_identity


class Worker(library.Worker):
    """The library's worker loop, with a heartbeat thread beside it."""

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.tick()  # at start: recover what a dead worker left before taking work
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()


class Command(library.Command):
    help = (
        "Run the background task worker; tasks left running by a worker that died are "
        "taken up again after SHEZHI_TASK_TIMEOUT_SECONDS."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # host:pid:random, so an operator can tell whose task a row is.
        parser.set_defaults(worker_id=worker_identity())

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            library.logger.warning(
                "Warning: --reload and --batch cannot be specified together. Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
