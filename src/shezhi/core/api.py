"""Token sign-in for API clients (mobile apps, scripts, other systems)."""

from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError

from .models import ApiToken

router = Router()


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    username: str


@router.post("/token", auth=None, response=TokenOut, summary="Exchange a password for a token")
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise HttpError(401, "Wrong username or password.")
    _, raw = ApiToken.issue(user=user, name=payload.name[:100] or "api")
    return {"token": raw, "username": user.get_username()}
