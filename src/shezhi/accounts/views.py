"""Phone-first pages: sign up with a code, sign in with a code, sign in with a password.

Thin: the form parses, ``services`` decide; a refusal is shown next to its field with
its own status (400, 429, 503). One form per page with two buttons: "send me a code"
(``action=send``) and the sign-in itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from shezhi.core.pages import attempt

from . import forms, services

BACKEND = "django.contrib.auth.backends.ModelBackend"
SENT = gettext_lazy(
    "We sent a 6-digit code to this number if it can receive one. It is valid for"
    " %(minutes)s minutes."
)


def sent_text() -> str:
    """What a code request answers, for a known and an unknown number alike."""
    return SENT % {"minutes": services.ttl_minutes()}


def client_of(request) -> str:
    """The client's address as the sign-in lockout counts it (SHEZHI_PROXY_COUNT)."""
    return get_client_ip_address(request) or ""


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@dataclass(frozen=True)
class CodePage:
    """A page that signs in with a code: sign-up (name and password too) or code sign-in."""

    way: str  # which of the other ways not to offer again (accounts/_other_ways.html)
    form_class: type
    title: str
    intro: str
    submit: str


CODE_PAGES = {
    "signup": CodePage(
        "signup",
        forms.SignUpForm,
        gettext_lazy("Sign up with your mobile number"),
        gettext_lazy(
            "Residents sign up with their own mobile number. Then ask to be bound to your"
            " household: your grid worker confirms it."
        ),
        gettext_lazy("Create my account"),
    ),
    "code": CodePage(
        "code",
        forms.CodeForm,
        gettext_lazy("Sign in with a code"),
        gettext_lazy("A number that has no account yet gets one when you sign in."),
        gettext_lazy("Sign in"),
    ),
}
# Where a new account goes first: to ask for its household.
NEW_ACCOUNT_URL = "households:bind"


def _code_page(request, page: CodePage):
    status = 200
    sent = False
    form = page.form_class(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif request.POST.get("action") == "send":
            done = attempt(
                request,
                services.request_code,
                form=form,
                phone=form.cleaned_data["phone"],
                client=client_of(request),
            )
            sent, status = bool(done), done.status
        else:
            data = form.cleaned_data
            done = attempt(
                request,
                services.sign_in_with_code,
                form=form,
                phone=data["phone"],
                code=data.get("code", ""),
                name=data.get("name", ""),
                password=data.get("password", ""),
            )
            if done:
                login(request, done.value.user, backend=BACKEND)
                first = NEW_ACCOUNT_URL if done.value.created else "home"
                return redirect(_next(request) or reverse(first))
            status = done.status
    context = {
        "form": form,
        "title": page.title,
        "intro": page.intro,
        "submit": page.submit,
        "way": page.way,
        "sent": sent,
        "sent_text": sent_text() if sent else "",
        "next": _next(request),
    }
    return render(request, "accounts/code.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    return _code_page(request, CODE_PAGES["signup"])


@require_http_methods(["GET", "POST"])
def code_sign_in(request):
    return _code_page(request, CODE_PAGES["code"])


@require_http_methods(["GET", "POST"])
def password_sign_in(request):
    status = 200
    if request.method == "POST":
        form = forms.PasswordSignInForm(request.POST)
        if form.is_valid():
            done = attempt(
                request,
                services.sign_in_with_password,
                form=form,
                request=request,
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
            )
            if done and done.value is not None:
                login(request, done.value, backend=BACKEND)
                return redirect(_next(request) or reverse("home"))
            if done:
                form.add_error(None, _("Wrong mobile number or password."))
                status = 400
            else:
                status = done.status
        else:
            status = 400
    else:
        form = forms.PasswordSignInForm()
    return render(
        request,
        "accounts/phone.html",
        {
            "form": form,
            "title": _("Sign in with mobile number and password"),
            "way": "phone",
            "next": _next(request),
        },
        status=status,
    )
