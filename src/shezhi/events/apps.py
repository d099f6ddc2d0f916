from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "shezhi.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from shezhi.incentives import causes

        from .models import Category
        from .services import categories_snapshot, own_anonymous_reports

        # An anonymous report's points name it to its reporter only (incentives.causes).
        causes.register("event", own_anonymous_reports)

        # A category edited in this process counts at once (see core.snapshot).
        post_save.connect(categories_snapshot.clear, sender=Category, weak=False)
        post_delete.connect(categories_snapshot.clear, sender=Category, weak=False)
