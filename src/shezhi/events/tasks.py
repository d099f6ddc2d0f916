from django_tasks import task

from . import sla


@task()
def announce_reports() -> dict:
    """Tell the dispatchers of every report not yet announced (see ``services.report_event``)."""
    result = sla.announce_reports()
    return {"announced": result.announced, "notifications": result.notifications}


@task()
def sla_scan() -> dict:
    """The SLA scan as a background task (idempotent: see ``shezhi.events.sla``).

    The timer normally runs ``shezhi sla_scan``; this lets code or an admin
    action enqueue a run on the worker instead.
    """
    result = sla.scan()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "escalated": result.escalated,
        "report_in_overdue": result.report_in_overdue,
        "skipped": result.skipped,
        "failed": result.failed,
        "notifications": result.notifications,
        "seconds": round(result.seconds, 3),
    }
