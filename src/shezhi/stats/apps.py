from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "shezhi.stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # In ready(): the hooks and listeners import models, loaded only now.
        from shezhi.events import hooks

        from . import hub_figures, listeners

        # After the commit: the sweep must see the step's writes.
        hooks.on_step(listeners.sweep_after_step, when="on_commit")
        hooks.on_facts_moved(listeners.sweep_facts)
        # The service hubs' pages show the events handled in each hub's area.
        hub_figures.register()
