from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "shezhi.projects"
    label = "projects"
    verbose_name = _("Micro-projects and their money")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import CommunityFund, DistrictProjectRules, Expense, Payment, Project

        # Who did what to a project's life and money, and when. Payers' names never
        # enter the log (they are personal data, kept encrypted on the payment).
        auditlog.register(Project, exclude_fields=["problem", "plan", "closing_note"])
        auditlog.register(Payment, exclude_fields=["payer_name"])
        auditlog.register(Expense)
        auditlog.register(CommunityFund)
        auditlog.register(DistrictProjectRules)
