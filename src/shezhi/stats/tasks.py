from django_tasks import task

from . import services


@task()
def sync_facts() -> dict:
    """Bring the KPI facts of events changed since the last sync up to date."""
    result = services.sync_facts()
    return {"events": result.events, "changed": result.changed, "seconds": result.seconds}
