"""The organisations registry's place in the site's navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from . import permissions


def _sees_registry(who: Who) -> bool:
    return who.signed_in and who.once("organisations", lambda: permissions.can(who.user, "view"))


PLACES = [
    Place("organisations", "organisations:registry", _("Self-governance organisations"),
          "nav-organisations", _sees_registry, 160),
]  # fmt: skip
