from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shezhi.people"
    label = "people"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Assignment, Department, Person

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
