from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shezhi.core.scope import register_holdings_source


class PeopleConfig(AppConfig):
    name = "shezhi.people"
    label = "people"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Assignment, Department, Person, RoleAssignment
        from .selectors import role_holdings_of

        # Core's scope reads who holds which role from here (core imports no app).
        register_holdings_source(role_holdings_of)

        # Personal data never enters the log, not even encrypted or hashed.
        auditlog.register(
            Person,
            exclude_fields=[
                "phone",
                "phone_index",
                "id_number",
                "id_number_index",
                "created_at",
                "updated_at",
                "assignments",  # the reverse relation: logged on Assignment itself
            ],
        )
        auditlog.register(Assignment)
        auditlog.register(Department, m2m_fields={"areas"})
        auditlog.register(RoleAssignment)
