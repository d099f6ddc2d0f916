from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "shezhi.incentives"
    verbose_name = _("Points and incentives")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import rules  # noqa: F401  (connects the rules' cache to their writes)
        from .models import PieceRateRule, Reward

        # Who changed a piece rate or a reward, and from what (the ledger is its own record).
        auditlog.register(PieceRateRule, exclude_fields=["updated_at"])
        auditlog.register(Reward, exclude_fields=["created_at"])
