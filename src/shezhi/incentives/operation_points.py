"""The points an emergency operation's tasks earn (incentives.rules: ``emergency_task``).

Listens to operations' tasks (``operations.hooks.on_task_done``: a household's first
recorded check, a worker's report of being on duty, a hand-out signed for), inside the
task's own transaction; the award is keyed on the task, so the ledger holds one per
task however often it is tried, and it goes into the emergency bucket (the rule's).
Registered in ``IncentivesConfig.ready``, with ``award_tasks`` for many tasks at once.
"""

from __future__ import annotations

from shezhi.operations.hooks import TaskDone

from . import services as points
from .models import Bucket, CauseType, RuleKind, Transfer


def award_task(task: TaskDone) -> Transfer | None:
    return points.award_piece(**vars(_piece(task)))


def award_tasks(tasks: list[TaskDone]) -> list[Transfer | None]:
    """``award_task`` of each of ``tasks``, through the ledger's bulk path (the same rows)."""
    return points.award_pieces([_piece(task) for task in tasks])


def _piece(task: TaskDone) -> points.Piece:
    return points.Piece(
        kind=RuleKind.EMERGENCY_TASK,
        user=task.user,
        area=task.area,
        cause_type=CauseType.EMERGENCY_TASK,
        cause_id=f"operation:{task.operation.pk}:{task.key}",
        cause_ref=task.operation.title,
        bucket=Bucket.EMERGENCY,
        at=task.at,
        actor=task.user,
    )
