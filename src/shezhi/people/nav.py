"""The people app's place in the site's navigation (gathered by ``shezhi.site.navigation``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shezhi.core.navigation import Place, Who

from .audit import can_read_audit_log


def _reads_audit_log(who: Who) -> bool:
    return who.signed_in and who.once("audit", lambda: can_read_audit_log(who.user))


PLACES = [
    Place("audit", "audit:log", _("Audit log"), "nav-audit", _reads_audit_log, 200),
]
