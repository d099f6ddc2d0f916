from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search in Chinese: a part of core with a table of its own (label
    ``search``), so its migrations start at 0001 beside core's."""

    name = "shezhi.core.search"
    label = "search"
    verbose_name = _("Full-text search")
    default_auto_field = "django.db.models.BigAutoField"
