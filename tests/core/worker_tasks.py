"""A task for the worker tests: its first run hangs (to be killed), a second one finishes."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def hang_first_time(marker: str) -> str:
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(120)  # the test kills the worker here
        return "first"
    return "second"
