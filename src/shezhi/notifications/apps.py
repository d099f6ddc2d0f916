from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shezhi.accounts import hooks as accounts_hooks
from shezhi.core import notices


class NotificationsConfig(AppConfig):
    name = "shezhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # In ready(): the hooks and listeners import models, loaded only now.
        from shezhi.demands import hooks as demand_hooks
        from shezhi.events import hooks
        from shezhi.lists import hooks as list_hooks

        from . import (
            checks,  # noqa: F401
            codes,
            demand_outcomes,
            list_items,
            listeners,
        )

        # Sign-in codes: sent at once on the SMS (or console) channel, never stored.
        accounts_hooks.on_code_issued(codes.deliver_code)

        # A closed demand: its submitter is told the outcome, with the closing.
        demand_hooks.on_demand_closed(demand_outcomes.tell_outcome)
        # A needs list item published or moved: the residents behind it are told (their
        # own moves and the evaluation aside).
        list_hooks.on_item_changed(list_items.tell_residents)
        list_hooks.on_item_published(list_items.tell_published)

        # In the step's transaction, as every notify: delivery waits for the commit.
        hooks.on_step(listeners.write_step_notices, when="in_transaction")
        notices.deliver_with(listeners.write_notices)
        notices.each_subject_type(listeners.watch_subject)
