"""A person's display preferences: read once per request, written by one service.

Signed-in users keep them in :class:`~shezhi.core.models.UserPreference`; anonymous
visitors in a cookie. A signed-in user who never chose keeps what the browser's cookie
says, so the choice made before signing in carries over.
"""

from __future__ import annotations

from django.db import transaction

from .models import UserPreference

ELDER_COOKIE = "shezhi_elder"
# The signed-in user's choice, read from the database once per session, then kept here.
ELDER_SESSION_KEY = "shezhi_elder_mode"
# A year: a preference, not a session.
ELDER_COOKIE_AGE = 365 * 24 * 3600


def _cookie_says(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def elder_mode(request) -> bool:
    """Whether the pages of this request are shown in 长辈模式 (cached on the request)."""
    cached = getattr(request, "_shezhi_elder_mode", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated:
        value = _cookie_says(request)
    elif session is not None and ELDER_SESSION_KEY in session:
        value = bool(session[ELDER_SESSION_KEY])
    else:
        stored = (
            UserPreference.objects.filter(user=user).values_list("elder_mode", flat=True).first()
        )
        value = _cookie_says(request) if stored is None else stored
        if session is not None:
            session[ELDER_SESSION_KEY] = value
    request._shezhi_elder_mode = value
    return value


@transaction.atomic
def set_elder_mode(*, request, response, on: bool) -> None:
    """Remember the choice: in the database for a signed-in user, and in the cookie always
    (so the page after signing out still shows as chosen)."""
    user = request.user
    if user.is_authenticated:
        UserPreference.objects.update_or_create(user=user, defaults={"elder_mode": on})
        request.session[ELDER_SESSION_KEY] = on
    response.set_cookie(
        ELDER_COOKIE,
        "1" if on else "0",
        max_age=ELDER_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    request._shezhi_elder_mode = on
