"""Tell the residents behind a needs list item when it is published (their demand made
the community's list: ``lists.hooks.on_item_published``) and when it moves (claimed, in delivery,
delivered with its outcome, evaluated, released): the listener of
``lists.hooks.on_item_changed``, inside the move's transaction (delivery waits for the
commit, as every notify). The residents behind it are ``lists.selectors.behind_users``
(each demand's submitter and the accounts bound to its household); nobody to tell means
nothing is written; the actor is not told of their own move. Evaluation (the residents'
own ratings, or staff closing it) tells nobody.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shezhi.lists import selectors as list_selectors
from shezhi.lists.hooks import ItemChanged, ItemPublished

from .services import notify


def _title(to: str) -> str:
    return {
        "published": _("Your need is back on the list, waiting for a provider"),
        "claimed": _("Your need has been taken on"),
        "in_delivery": _("Your need is being delivered"),
        "delivered": _("Your need has been delivered: please rate it"),
    }.get(to, _("Your need has moved on"))


def tell_residents(done: ItemChanged) -> int:
    if done.to_status == "evaluated":
        return 0
    users = list_selectors.behind_users(done.item) - {getattr(done.actor, "pk", None)}
    if not users:
        return 0
    body = f"{done.item.title}" + (f"\n{done.note}" if done.note else "")
    return notify(
        sorted(users),
        kind="needs_item_changed",
        title=_title(done.to_status),
        body=body,
        subject=done.item,
    )


def tell_published(done: ItemPublished) -> int:
    users = list_selectors.behind_users(done.item)
    if not users:
        return 0
    return notify(
        sorted(users),
        kind="needs_item_published",
        title=_("Your demand is on the community's needs list"),
        body=done.item.title,
        subject=done.item,
    )
