"""The resident's phone form for a demand: parsing only; ``services`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Kind


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("What would you like?"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("Address or place (optional)"), required=False, max_length=services.ADDRESS_MAX
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    anonymous = forms.BooleanField(label=_("Anonymous: staff do not see who asked"), required=False)
