from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shezhi.cases"
    label = "cases"
    verbose_name = _("Case studies")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import campaign_figures, sources
        from .models import Case

        # The working example of a source: a demand group's residents and demands.
        sources.register()
        # What the case library adds to a campaign board (分享案例).
        campaign_figures.register()
        # Who wrote, reviewed, published or took back a case (the texts are public).
        auditlog.register(Case, exclude_fields=["created_at", "updated_at"])
