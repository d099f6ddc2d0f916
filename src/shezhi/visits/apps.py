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
        # Who recorded which visit; the notes and the other person met never enter the log.
        auditlog.register(Visit, exclude_fields=["notes", "other_person", "created_at"])
        auditlog.register(TagProposal)
