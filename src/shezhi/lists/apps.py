from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "shezhi.lists"
    label = "lists"
    verbose_name = _("The three lists")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shezhi.core.notices import register_subject

        from . import campaign_figures, case_source
        from .models import ListProject, NeedItem, NeedsList, Resource

        # A delivered item can be written up as a case (分享案例).
        case_source.register()
        # What the lists add to a campaign board (发布清单).
        campaign_figures.register()

        # Who curated, published, moved, matched and registered what.
        auditlog.register(NeedsList, exclude_fields=["created_at"])
        auditlog.register(NeedItem, exclude_fields=["created_at", "updated_at"])
        auditlog.register(Resource, exclude_fields=["created_at"])
        auditlog.register(ListProject, exclude_fields=["created_at"])
        # Notices about an item (told to the residents behind it) link to its public page.
        register_subject(NeedItem, name="needs_item", link=lambda pk: f"/lists/items/{pk}/public/")
