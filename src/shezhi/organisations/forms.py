"""The staff's registry forms. Each form parses; the services check and refuse."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Kind, Member, Stage, Support


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX)
    area = forms.ChoiceField(label=_("Community, grid or micro-grid"))
    description = forms.CharField(
        label=_("What it does"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, f"{a.name}（{a.code}）") for a in areas]


class MemberForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number of the resident or person"),
        max_length=18,
        min_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Member.Role.choices, initial="member")
    joined_on = forms.DateField(
        label=_("Joined on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=services.REASON_MAX, required=False)


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of support"), choices=Support.Kind.choices)
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    post = forms.TypedChoiceField(
        label=_("Service post"), required=False, coerce=int, empty_value=None
    )
    amount_yuan = forms.CharField(
        label=_("Amount (yuan)"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=services.NOTE_MAX, required=False)

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [("", "—")] + [(p.pk, p.name) for p in posts]

    def clean_amount_yuan(self) -> int:
        """The amount in integer fen (0 when blank): yuan with at most two decimals."""
        text = (self.cleaned_data.get("amount_yuan") or "").strip()
        if not text:
            return 0
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("An amount like 1500 or 1500.50.")) from None
        fen = value * 100
        if not value.is_finite() or fen != fen.to_integral_value() or value < 0:
            raise forms.ValidationError(_("An amount like 1500 or 1500.50."))
        return int(fen)


class LinkForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Choose"), coerce=int)

    def __init__(self, *args, options=(), label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(options)
        if label:
            self.fields["target"].label = label
