from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
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

        post_migrate.connect(seed_default_categories, sender=self, weak=False)


def seed_default_categories(sender, using, apps=None, **kwargs) -> None:
    """Fill an empty category table with the defaults after ``migrate`` or ``flush``.

    The data migration seeds them once; a flush (``shezhi flush``, a transactional
    test's teardown) empties the table and then sends post_migrate, as it does for
    content types. A table with any category is left alone: a district's own edits and
    deletions stay.
    """
    from django.apps import apps as global_apps

    from . import default_categories

    try:
        category = (apps or global_apps).get_model("events", "Category")
    except LookupError:  # migrated back before the events app's first migration
        return
    if not category.objects.using(using).exists():
        default_categories.load(category)
