from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "shezhi.incentives"
    verbose_name = _("Points and incentives")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # In ready(): the hooks, listeners and selectors (events', volunteering's and this
        # app's) import models, loaded only now.
        from shezhi.demands import hooks as demand_hooks
        from shezhi.events import hooks
        from shezhi.events.selectors import own_anonymous_reports
        from shezhi.operations import hooks as operation_hooks
        from shezhi.visits import hooks as visit_hooks
        from shezhi.volunteering import hooks as volunteering_hooks

        from . import (
            causes,
            demand_points,
            event_points,
            operation_points,
            rules,  # noqa: F401  (connects the rules' cache to their writes)
            visit_points,
            volunteer_points,
        )
        from .models import PieceRateRule, Reward

        # A step's points commit or roll back with the step (exactly once per cause).
        hooks.on_step(event_points.award_points, when="in_transaction")
        # A volunteer's hours: with the check-out, once per sign-up.
        volunteering_hooks.on_checked_out(volunteer_points.award_hours)
        # An emergency operation's task: with the task, once per task, emergency bucket.
        operation_hooks.on_task_done(operation_points.award_task, many=operation_points.award_tasks)
        # A household visit: with the visit, once per visit, under the daily cap.
        visit_hooks.on_visit_recorded(visit_points.award_visit)
        # A demand collected by a worker or staff: with the demand, once per demand.
        demand_hooks.on_demand_collected(demand_points.award_demand)
        # An anonymous report's points name it to its reporter only (causes).
        causes.register("event", own_anonymous_reports)

        # Who changed a piece rate or a reward, and from what (the ledger is its own record).
        auditlog.register(PieceRateRule, exclude_fields=["updated_at"])
        auditlog.register(Reward, exclude_fields=["created_at"])
