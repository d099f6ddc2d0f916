"""API authentication: a bearer token from /api/v1/auth/token, or the signed-in session."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken, hash_token


def user_for_token(token: str):
    """The active user a bearer token belongs to, or None."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.expires_at and found.expires_at <= now:
        return None
    # Touch at most once a minute: a write per request would serialise SQLite.
    if not found.last_used_at or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


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
