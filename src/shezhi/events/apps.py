from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from shezhi.core.notices import register_subject


class EventsConfig(AppConfig):
    name = "shezhi.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from shezhi.operations import hooks as operation_hooks

        from . import operation_needs
        from .models import Category, Event
        from .services import categories_snapshot

        # A household in need, found by an operation's check, becomes an emergency event.
        operation_hooks.on_help_needed(operation_needs.report_need)

        # Notifications may point at an event (core.notices); its page is its link.
        register_subject(Event, name="event", link=lambda pk: f"/events/{pk}/")

        # A category edited in this process counts at once (see core.snapshot).
        post_save.connect(categories_snapshot.clear, sender=Category, weak=False)
        post_delete.connect(categories_snapshot.clear, sender=Category, weak=False)
