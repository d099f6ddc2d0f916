from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shezhi.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .auth import clear_token_cache
        from .models import ApiToken

        # A token revoked or a user switched off here stops working at once.
        for model in (ApiToken, get_user_model()):
            post_save.connect(clear_token_cache, sender=model, weak=False)
            post_delete.connect(clear_token_cache, sender=model, weak=False)
