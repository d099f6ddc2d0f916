"""The service posts' places in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who, anyone

from . import permissions


def _manages_posts(who: Who) -> bool:
    return who.once("posts", lambda: permissions.can(who.user, "manage"))


PLACES = [
    Place("posts_manage", "places:manage", _("Service posts registry"), "nav-posts-manage",
          _manages_posts, 130),
    Place("hubs_manage", "hubs:manage", _("Service hubs registry"), "nav-hubs-manage",
          _manages_posts, 131),
    Place("posts", "places:nearby", _("Service posts"), "nav-posts", anyone, 170),
    Place("hubs", "hubs:directory", _("Service hubs"), "nav-hubs", anyone, 171),
]  # fmt: skip
