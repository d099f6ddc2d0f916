"""``manage.py check``: the configured notification channels exist and have their addresses."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def check_channels(app_configs=None, **kwargs):
    from .channels import channel_names, get_channel

    problems = []
    for name in channel_names():
        try:
            get_channel(name)
        except ImproperlyConfigured as exc:
            problems.append(checks.Error(str(exc), id="notifications.E001"))
    needs = {"sms": "SHEZHI_SMS_GATEWAY_URL", "wecom": "SHEZHI_WECOM_WEBHOOK_URL"}
    for name, setting in needs.items():
        if name in channel_names() and not getattr(settings, setting, ""):
            problems.append(
                checks.Warning(
                    f"The {name} notification channel is on but {setting} is not set: "
                    f"every {name} delivery will fail.",
                    id="notifications.W001",
                )
            )
    return problems
