from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shezhi.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import RoleAssignment

        auditlog.register(RoleAssignment)
