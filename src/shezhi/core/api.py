"""Token sign-in for API clients (mobile apps, scripts, other systems), and
``created``: the apps' "make something under an object of yours" endpoints in one
place."""

from collections.abc import Callable
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from .apitypes import ErrorOut
from .models import ApiToken

router = Router()


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    name: str = Field("", max_length=100, description="what the token is for, up to 100 characters")


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    username: str


class LockedOut(Schema):
    detail: str
    code: str = "locked_out"


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: LockedOut},
    summary="Exchange a password for a token",
    description=(
        "After repeated wrong passwords for one username from one address, that pair is"
        " locked for a while: the answer is then 429 with code `locked_out` and a"
        " `Retry-After` header, even for the right password."
    ),
)
def issue_token(request, payload: TokenIn, response: HttpResponse):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None and getattr(request, "axes_locked_out", False):
        # django-axes flagged this sign-in as locked out; its middleware would swap
        # whatever we answer for the HTML lockout page. API clients get JSON instead.
        request.axes_locked_out = False
        cool_off = get_cool_off(request)
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return Status(
            429,
            {
                "detail": gettext(
                    "Too many failed sign-ins: this account is locked for this address."
                    " Try again later, or ask an administrator to unlock it."
                ),
                "code": "locked_out",
            },
        )
    if user is None or not user.is_active:
        raise HttpError(401, "Wrong username or password.")
    # A sign-in like the page's: django-axes resets the failure count on this signal
    # (AXES_RESET_ON_SUCCESS), and the user's last sign-in is recorded.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    _, raw = ApiToken.issue(user=user, name=payload.name or "api")
    return {"token": raw, "username": user.get_username()}


def created(
    request,
    fetch: Callable[[Any, Any], Any],
    object_id,
    service: Callable[..., Any],
    /,
    *,
    into: str,
    payload: Schema | None = None,
    extra: Callable[[Any], dict] | None = None,
    out: Callable[[Any], Any] | None = None,
) -> Status:
    """Fetch the caller's object, call a service on it, answer 201 with what it made.

    ``fetch(user, object_id)`` reads the object in the caller's scope (a 404 outside it,
    before anything else is looked at); ``service`` is called with ``actor`` the caller,
    ``into`` naming the object, the ``payload``'s fields (``model_dump``) and, over
    them, ``extra(object)``: the fields the endpoint turns into rows itself (an area's
    code into the area), checked after the object, as the handlers did. The answer is
    ``out(made)``, or what the service made.
    """
    user = request.user
    obj = fetch(user, object_id)
    fields = payload.model_dump() if payload is not None else {}
    if extra is not None:
        fields |= extra(obj)
    made = service(actor=user, **{into: obj}, **fields)
    return Status(201, made if out is None else out(made))
