"""The service posts' places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, anyone

from .services import manages_anything


def _manages_posts(who: Who) -> bool:
    return who.once("posts", lambda: manages_anything(who.user))


PLACES = [
    Place("posts_manage", "places:manage", _("Service posts registry"), "nav-posts-manage",
          _manages_posts, 130),
    Place("posts", "places:nearby", _("Service posts"), "nav-posts", anyone, 170),
]  # fmt: skip
