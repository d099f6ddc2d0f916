"""The campaigns' page forms: parsing only; ``services`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.cases.models import Case

from .models import Stage, TakeUp
from .services import DEMAND_KINDS

KIND_CHOICES = [
    ("convenience", _("Convenience services")),
    ("elderly_care", _("Elderly care")),
    ("childcare", _("Childcare")),
    ("parking", _("Parking")),
    ("greenery", _("Greenery")),
    ("culture_sports", _("Culture and sports")),
    ("safety", _("Safety")),
    ("other", _("Other")),
]
assert {k for k, _l in KIND_CHOICES} == set(DEMAND_KINDS)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.CharField(label=_("Area code"), max_length=30)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    area = forms.CharField(label=_("Area code"), max_length=30)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    workers = forms.CharField(
        label=_("Workers and volunteers (user names, separated by spaces)"), max_length=1000
    )


class BroadcastForm(forms.Form):
    area = forms.CharField(label=_("Area code"), max_length=30)
    tag = forms.CharField(label=_("Only residents with tag (optional)"), required=False)
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Notice"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    question = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of the demands the answers make"), choices=KIND_CHOICES)


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    anonymous = forms.BooleanField(label=_("Anonymous: staff do not see who asked"), required=False)


class StopForm(forms.Form):
    address = forms.CharField(label=_("Street address"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    wish = forms.CharField(
        label=_("What they wish for (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.CharField(label=_("Area code"), max_length=30)
    contents = forms.CharField(
        label=_("What it holds"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TakeUpForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(choices=TakeUp.Answer.choices)
    reason = forms.CharField(required=False, max_length=200)


class ResultForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    summary = forms.CharField(
        label=_("Summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    figure_label = forms.CharField(label=_("Figure"), required=False, max_length=40)
    figure_value = forms.IntegerField(label=_("Value"), required=False, min_value=0)
    publish = forms.BooleanField(label=_("Publish now"), required=False)
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases that tell its story"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The published cases of the campaign's area (services.case_choices).
        self.fields["cases"].queryset = cases[:50] if cases is not None else Case.objects.none()
