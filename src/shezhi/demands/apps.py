from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "shezhi.demands"
    label = "demands"
    verbose_name = _("Residents' demands")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # In ready(): visits' hooks and this app's listeners import models, loaded only now.
        from shezhi.campaigns import hooks as campaign_hooks
        from shezhi.visits import hooks as visit_hooks

        from . import from_campaigns, from_visits, hooks, hub_figures, services
        from .models import Demand, DemandGroup

        # A need ticked on a household visit becomes a demand (source=visit), once.
        visit_hooks.on_need_found(from_visits.record_need)
        # A broadcast's answer and a round's wish become demands (source=campaign).
        campaign_hooks.on_broadcast_answered(from_campaigns.record_answer)
        campaign_hooks.on_round_wish(from_campaigns.record_wish)
        # A delivered needs-list item closes its demands (the lists publish the step
        # here, below them; their notice is the one the residents get).
        hooks.on_groups_delivered(services.close_delivered)
        # The service hubs' pages count the demands raised in each hub's reach.
        hub_figures.register()
        # Who moved a demand between groups, closed it or confirmed a group; the text,
        # the address and the notes never enter the log.
        auditlog.register(Demand, exclude_fields=["text", "address", "notes", "created_at"])
        auditlog.register(DemandGroup, exclude_fields=["created_at"])
