from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "shezhi.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.urls import reverse

        from shezhi.core import notices
        from shezhi.visits import hooks as visit_hooks

        from . import case_source, figures, services
        from .models import Broadcast, Campaign, Package, Result, Round, StageMove, TakeUp

        # A household visit made on a round of its worker's joins the round.
        visit_hooks.on_visit_recorded(services.link_visit)
        # What each stage produced: campaigns' own figures (the demands from demands'
        # selectors); lists, organisations and cases register theirs when they land.
        figures.register()
        # A campaign can be written up as a case (分享案例).
        case_source.register()
        # A broadcast's notification opens the resident's answer page.
        notices.register_subject(
            Broadcast,
            name="broadcast",
            link=lambda pk: reverse("campaigns:answer", args=[pk]),
        )
        for model in (Campaign, StageMove, Round, Broadcast, Package, TakeUp, Result):
            auditlog.register(model)
