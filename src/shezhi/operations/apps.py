from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "shezhi.operations"
    label = "operations"
    verbose_name = _("Emergency operations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Operation

        # Who started and stood down an operation, and its instructions (the lines'
        # outcomes are their own record: who, when, which request).
        auditlog.register(Operation, exclude_fields=["households", "vulnerable"])
