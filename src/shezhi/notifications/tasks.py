from django_tasks import task

from . import services


@task()
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Deliver notifications on the configured channels (idempotent: see services.deliver)."""
    return services.deliver(notification_ids)
