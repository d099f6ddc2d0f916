"""API authentication: a bearer token from /api/v1/auth/token, or the signed-in session."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from . import snapshot
from .models import ApiToken, hash_token

# key hash → (monotonic time until which it holds, token expiry, the user's column values).
# Looking the token up cost a tenth of a submission; a token revoked or a user
# switched off in another process stops working within a snapshot period
# (core.snapshot), in this process at once (clear_token_cache on their signals).
_tokens: dict[str, tuple[float, object, tuple]] = {}
_TOKENS_MAX = 20_000


def clear_token_cache(*args, **kwargs) -> None:
    _tokens.clear()


def _user_from(values: tuple):
    # A new instance per request: per-request caches set on request.user stay per request.
    User = get_user_model()
    return User.from_db(connection.alias, [f.attname for f in User._meta.concrete_fields], values)


def user_for_token(token: str):
    """The active user a bearer token belongs to, or None."""
    key = hash_token(token)
    now = timezone.now()
    held = _tokens.get(key)
    if held is not None and time.monotonic() < held[0]:
        expires_at, values = held[1], held[2]
        if expires_at and expires_at <= now:
            return None
        return _user_from(values)
    found = (
        ApiToken.objects.select_related("user").filter(key_hash=key, user__is_active=True).first()
    )
    if found is None:
        _tokens.pop(key, None)
        return None
    if found.expires_at and found.expires_at <= now:
        return None
    # Touch at most once a minute: a write per request would serialise SQLite.
    if not found.last_used_at or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    if len(_tokens) >= _TOKENS_MAX:
        _tokens.clear()
    user = found.user
    values = tuple(getattr(user, f.attname) for f in user._meta.concrete_fields)
    _tokens[key] = (time.monotonic() + snapshot.seconds(), found.expires_at, values)
    return _user_from(values)


class ApiTokenMiddleware:
    """Signs in a request that carries a valid bearer token, before anything else looks.

    Doing it in a middleware (not only in the API's auth class) lets the audit log's
    middleware, which runs after this one, name the token's user as the actor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        # Tokens are for the API only: pages keep sessions and CSRF.
        if request.path.startswith("/api/") and scheme.lower() == "bearer" and token.strip():
            user = user_for_token(token.strip())
            if user is not None:
                request.user = user
                request.api_token_user = user
        return self.get_response(request)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        # ApiTokenMiddleware has already checked the token; this only says so to ninja.
        return getattr(request, "api_token_user", None)


api_auth = [TokenAuth(), django_auth]
