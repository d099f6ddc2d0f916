"""What the navigation is made of: a place a person may go, and who is asking.

Each app lists its own places in its ``nav.py`` (``PLACES``, a list of :class:`Place`);
``shezhi.site.navigation`` gathers every app's places into one menu, in the order of their
``order`` keys, and decides each role's main places. An app's place says when it is shown,
asking the app's own rules, so the site needs to know nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


class Who:
    """The signed-in user and their roles, read once per request; each app's checks are
    asked lazily and remembered (:meth:`once`)."""

    def __init__(self, user, roles: Iterable[str] = ()):
        self.user = user
        self.signed_in = bool(user and user.is_authenticated)
        self.superuser = self.signed_in and user.is_superuser
        self.roles = set(roles) if self.signed_in else set()
        self._cache: dict[str, bool] = {}

    def holds(self, roles) -> bool:
        """A superuser, or holding one of ``roles``."""
        return self.superuser or bool(self.roles & set(roles))

    def once(self, key: str, check: Callable[[], bool]) -> bool:
        """``check()``, asked at most once for this user (several places share a check)."""
        if key not in self._cache:
            self._cache[key] = bool(check())
        return self._cache[key]


@dataclass(frozen=True)
class Place:
    """A place in the menu: ``order`` places it among every app's places (the "more" menu's
    order); ``shown`` says whether ``who`` may go there."""

    key: str
    url_name: str
    label: str
    testid: str
    shown: Callable[[Who], bool]
    order: int


def signed_in(who: Who) -> bool:
    return who.signed_in


def anyone(who: Who) -> bool:
    return True
