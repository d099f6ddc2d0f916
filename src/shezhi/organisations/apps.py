from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "shezhi.organisations"
    label = "organisations"
    verbose_name = _("Self-governance organisations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import campaign_figures, case_source
        from .models import ActivityHeld, DemandTaken, Member, Organisation, StageMove, Support

        # What the organisations add to a campaign board (培育主体), and an organisation
        # written up as a case (分享案例).
        campaign_figures.register()
        case_source.register()

        # Who registered, moved, supported or changed whom: the log names rows by id; a
        # member row holds no personal data of its own (names stay with households/people).
        auditlog.register(Organisation, exclude_fields=["created_at"])
        auditlog.register(Member)
        auditlog.register(StageMove, exclude_fields=["created_at"])
        auditlog.register(Support)
        auditlog.register(ActivityHeld)
        auditlog.register(DemandTaken)
