from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "shezhi.visits"
    label = "visits"
    verbose_name = _("Household visits")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # In ready(): households' selectors and this app's import models, loaded only now.
        from shezhi.households import selectors as household_selectors

        from . import selectors
        from .models import TagProposal, Visit

        # The households' list and page read "last visit" and "overdue" from here
        # (households imports no feature app; it reads a registered source).
        household_selectors.register_visit_marks(selectors.visit_marks)
        # A bound resident's "my household" page lists the visits' days and outcomes.
        household_selectors.register_visits_source(selectors.household_visit_lines)
        # The service hubs' pages count the visits in each hub's reach.
        from . import hub_figures

        hub_figures.register()
        # Who recorded which visit; the notes and the other person met never enter the log.
        auditlog.register(Visit, exclude_fields=["notes", "other_person", "created_at"])
        auditlog.register(TagProposal)
