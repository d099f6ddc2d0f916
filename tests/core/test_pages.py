"""The page kit's refusal helper: a service's refusal shown on the page, nothing raised."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from shezhi.core.pages import Refusal, attempt, show_on_form


class _Form(forms.Form):
    lng = forms.FloatField(required=False)
    name = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refuse(**kwargs):
    raise Refusal("No, because.", field=kwargs.get("field"))


def test_success_returns_the_value_and_says_the_success_message():
    request = _request()
    done = attempt(request, lambda *, x: x * 2, x=21, success=lambda v: f"made {v}")
    assert done and done.value == 42 and done.status == 200 and done.message == ""
    assert _said(request) == [("success", "made 42")]


def test_a_refusal_becomes_an_error_message_with_its_status():
    request = _request()
    done = attempt(request, _refuse, success="never said")
    assert not done and done.status == 400 and done.message == "No, because."
    assert _said(request) == [("error", "No, because.")]


def test_quiet_leaves_the_refusal_to_the_page():
    request = _request()
    done = attempt(request, _refuse, quiet=True)
    assert not done and _said(request) == []


def test_with_a_form_the_refusal_goes_next_to_the_named_field_renamed_or_on_top():
    request = _request()
    form = _Form({})
    assert form.is_valid()
    attempt(request, _refuse, form=form, fields={"location": "lng"}, field="location")
    assert form.errors["lng"] == ["No, because."]
    other = _Form({})
    assert other.is_valid()
    show_on_form(other, Refusal("Unknown field.", field="nowhere"))
    assert other.non_field_errors() == ["Unknown field."]
    assert _said(request) == []


def test_other_exceptions_pass_through():
    def broken():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        attempt(_request(), broken)
