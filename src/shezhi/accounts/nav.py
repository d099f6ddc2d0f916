"""Residents' sign-up in the site's navigation: shown to visitors not signed in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who


def _visitor(who: Who) -> bool:
    return not who.signed_in


PLACES = [
    Place("signup", "accounts:signup", _("Create an account"), "nav-signup", _visitor, 5),
]
