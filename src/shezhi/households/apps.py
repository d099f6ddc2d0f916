from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shezhi.core.notices import register_subject


class HouseholdsConfig(AppConfig):
    name = "shezhi.households"
    label = "households"
    verbose_name = _("Households and residents")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.urls import reverse

        from shezhi.core.participation import register_resolver

        from .participation import resident_of

        register_resolver(resident_of)

        from .models import (
            BindingRequest,
            Building,
            Compound,
            Household,
            Resident,
            ResidentMove,
        )

        # Personal data never enter the log, not even encrypted or hashed: phones, ID
        # numbers, the birth date and the sensitive tags (their change time is logged).
        auditlog.register(
            Compound,
            exclude_fields=[
                "property_manager_phone",
                "property_manager_phone_index",
                "created_at",
                "updated_at",
            ],
        )
        auditlog.register(Building, exclude_fields=["sort_key", "created_at", "updated_at"])
        auditlog.register(Household, exclude_fields=["sort_key", "created_at", "updated_at"])
        auditlog.register(
            Resident,
            exclude_fields=[
                "phone",
                "phone_index",
                "id_number",
                "id_number_index",
                "birth_date",
                "sensitive_tags",
                "created_at",
                "updated_at",
                "moves",
            ],
        )
        auditlog.register(ResidentMove, exclude_fields=["created_at"])
        # The last four of the ID number a resident gave stay out of the log.
        auditlog.register(BindingRequest, exclude_fields=["id_last4", "created_at"])
        # Notices about a binding request point at it (and go when it goes).
        register_subject(
            BindingRequest,
            name="household_binding",
            link=lambda pk: reverse("households:bindings"),
        )
