from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shezhi.accounts"
    label = "accounts"
    verbose_name = _("Residents' sign-ins")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import PhoneAccount

        # The phone never enters the log, not even encrypted or hashed.
        auditlog.register(PhoneAccount, exclude_fields=["phone", "phone_index", "created_at"])
