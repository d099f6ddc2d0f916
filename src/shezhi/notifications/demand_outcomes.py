"""Tell a resident what became of their demand: the listener of
``demands.hooks.on_demand_closed``, inside the closing transaction (delivery waits for
the commit, as every notify). Nobody to tell (a demand collected without an account)
means nothing is written, and so does a demand closed by its needs-list item's delivery
(``told``): the list's notice was the one (``list_items``). The outcome text is the one
staff wrote for the resident.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.demands.hooks import DemandClosed

from .services import notify


def tell_outcome(done: DemandClosed) -> int:
    if done.submitter is None or done.told:
        return 0
    return notify(
        [done.submitter],
        kind="demand_closed",
        title=_("What became of your demand"),
        body=done.outcome,
        subject=done.demand,
    )
