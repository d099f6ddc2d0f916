from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "shezhi.volunteering"
    verbose_name = _("Volunteer activities")

    def ready(self) -> None:
        # The service hubs' pages show the volunteers of each hub's area.
        from . import hub_figures

        hub_figures.register()
