"""Forms of a resident's binding request and of the worker's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BindForm(forms.Form):
    household = forms.IntegerField(label=_("Unit and room"), min_value=1, max_value=2**31 - 1)
    name = forms.CharField(
        label=_("Your name as registered"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Last four characters of your ID number (or the whole number)"),
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class DecideForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    resident = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
