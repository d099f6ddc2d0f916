"""Residents' sign-ins for apps: ask for a code, sign up or in with it, or with a password.

No credentials needed (these make them); each answer is the project's error shape for
bad input (400/422 naming the field), too many codes (429) and a code not sent (503).
A successful sign-in answers a bearer token, like ``POST /api/v1/auth/token``.
"""

from __future__ import annotations

from django.contrib.auth import user_logged_in
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from shezhi.core.apitypes import ErrorOut
from shezhi.core.models import ApiToken

from . import services
from .views import client_of, sent_text

router = Router()


class CodeIn(Schema):
    phone: str = Field(max_length=20, description="an 11-digit mainland mobile number")


class SentOut(Schema):
    detail: str


class SignUpIn(CodeIn):
    code: str = Field(max_length=12, description="the 6-digit code sent to the number")
    name: str = Field("", max_length=50)
    password: str = Field("", max_length=128, description="optional: to sign in without a code")


class CodeSignInIn(CodeIn):
    code: str = Field(max_length=12, description="the 6-digit code sent to the number")


class PasswordSignInIn(CodeIn):
    password: str = Field(max_length=4096)


class SignedInOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    created: bool = Field(description="true when this made a new account")


REFUSALS = {400: ErrorOut, 401: ErrorOut, 429: ErrorOut, 503: ErrorOut}


def _token(request, user, created: bool) -> dict:
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    _, raw = ApiToken.issue(user=user, name="phone")
    return {"token": raw, "created": created}


@router.post(
    "/codes",
    auth=None,
    response={202: SentOut, **REFUSALS},
    summary="Send a one-time code to a mobile number",
    description=(
        "The same answer whether or not the number has an account. At most one code a"
        " minute and five an hour per number, twenty an hour per client address (429)."
    ),
)
def send_code(request, payload: CodeIn):
    services.request_code(phone=payload.phone, client=client_of(request))
    return Status(202, {"detail": sent_text()})


@router.post(
    "/signup",
    auth=None,
    response={200: SignedInOut, **REFUSALS},
    summary="Sign up (or in) with a code; name and password optional",
)
def sign_up(request, payload: SignUpIn):
    done = services.sign_in_with_code(
        phone=payload.phone, code=payload.code, name=payload.name, password=payload.password
    )
    return _token(request, done.user, done.created)


@router.post(
    "/signin/code",
    auth=None,
    response={200: SignedInOut, **REFUSALS},
    summary="Sign in with a code (a number without an account gets one)",
)
def code_sign_in(request, payload: CodeSignInIn):
    done = services.sign_in_with_code(phone=payload.phone, code=payload.code)
    return _token(request, done.user, done.created)


@router.post(
    "/signin/password",
    auth=None,
    response={200: SignedInOut, **REFUSALS},
    summary="Sign in with mobile number and password",
    description="After repeated failures the number is locked for this address (429).",
)
def password_sign_in(request, payload: PasswordSignInIn):
    user = services.sign_in_with_password(
        request=request, phone=payload.phone, password=payload.password
    )
    if user is None:
        if getattr(request, "axes_locked_out", False):
            request.axes_locked_out = False
            return Status(
                429,
                {
                    "detail": gettext("Too many failed sign-ins. Try again later."),
                    "code": "locked_out",
                    "field": None,
                },
            )
        return Status(
            401,
            {
                "detail": gettext("Wrong mobile number or password."),
                "code": "unauthorized",
                "field": None,
            },
        )
    return _token(request, user, False)
