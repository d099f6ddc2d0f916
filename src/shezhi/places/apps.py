from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "shezhi.places"
    verbose_name = _("Service posts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import HubDuty, ServiceHub, ServicePost, ServicePostPhoto

        # A post's data is public (its phone is the post's, not a person's).
        auditlog.register(ServicePost, exclude_fields=["created_at", "updated_at"])
        auditlog.register(ServicePostPhoto, exclude_fields=["created_at"])
        auditlog.register(ServiceHub, exclude_fields=["created_at", "updated_at"])
        auditlog.register(HubDuty)
