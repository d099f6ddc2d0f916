from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed for its management command: ``shezhi demo``."""

    name = "shezhi.demo"
    label = "demo"
