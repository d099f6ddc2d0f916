"""Phone-first pages: sign up with a code, sign in with a code, sign in with a password.

Thin: the form parses, ``services`` decide; a refusal is shown next to its field with
its own status (400, 429, 503). One form per page with two buttons: "send me a code"
(``action=send``) and the sign-in itself.
"""

from __future__ import annotations

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


def _code_page(request, *, form_class, template: str, title: str, new_to: str):
    status = 200
    sent = False
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "send":
                done = attempt(
                    request,
                    services.request_code,
                    form=form,
                    phone=data["phone"],
                    client=client_of(request),
                )
                sent = bool(done)
                status = done.status
            else:
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
                    target = _next(request) or (
                        reverse(new_to) if done.value.created else reverse("home")
                    )
                    return redirect(target)
                status = done.status
        else:
            status = 400
    else:
        form = form_class()
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "sent": sent,
            "sent_text": sent_text(),
            "next": _next(request),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def sign_up(request):
    return _code_page(
        request,
        form_class=forms.SignUpForm,
        template="accounts/signup.html",
        title=_("Sign up with your mobile number"),
        new_to="households:bind",
    )


@require_http_methods(["GET", "POST"])
def code_sign_in(request):
    return _code_page(
        request,
        form_class=forms.CodeForm,
        template="accounts/code.html",
        title=_("Sign in with a code"),
        new_to="households:bind",
    )


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
            "next": _next(request),
        },
        status=status,
    )
