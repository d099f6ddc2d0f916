"""The points pages' forms: they parse what the browser sent, the services decide.

Every rule (enough points, stock, who may do what, ranges) belongs to
``services``; a service's error is put back next to the field it names
(``shezhi.core.pages.attempt``), or on top of the form.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.core.periods import Period

from .models import Bucket, Reward

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_period(raw: str | None, *, today: date) -> tuple[Period, str]:
    """``?month=YYYY-MM`` as the local dates ``[first day, first day of the next month)``
    and its value for the picker; blank: this month. Raises ValueError with a message."""
    raw = (raw or "").strip()
    if not raw:
        first = today.replace(day=1)
    else:
        found = MONTH_RE.match(raw)
        if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
            raise ValueError(_("%(value)s is not a month like 2026-01.") % {"value": raw[:20]})
        first = date(int(found[1]), int(found[2]), 1)
    following = next_month(first)
    return Period(first, following), first.strftime("%Y-%m")


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"),
        initial=1,
        min_value=1,
        max_value=20,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 20}),
    )


class ReasonForm(forms.Form):
    """A reason for a cancellation or a reversal (whether it may be blank: the service says)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "off"}),
    )
    month = forms.CharField(required=False, widget=forms.HiddenInput)


class RuleForm(forms.Form):
    """One district piece rate: bucket, points, daily cap, on or off."""

    kind = forms.CharField(widget=forms.HiddenInput)
    bucket = forms.ChoiceField(label=gettext_lazy("Bucket"), choices=Bucket.choices)
    points = forms.IntegerField(
        label=gettext_lazy("Points per piece"),
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    daily_cap = forms.IntegerField(
        label=gettext_lazy("Daily cap"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=gettext_lazy("Blank: no cap."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    active = forms.BooleanField(label=gettext_lazy("In force"), required=False)


class RewardForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("Offered in"), choices=())
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Reward.Kind.choices)
    cost = forms.IntegerField(
        label=gettext_lazy("Points"),
        min_value=1,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stock = forms.IntegerField(
        label=gettext_lazy("In stock"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=gettext_lazy("Blank: no limit (an honour, a service without fixed places)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(label=gettext_lazy("Offered now"), required=False, initial=True)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            (a.code, f"{'· ' * (a.depth - 1)}{a.name} ({a.code})") for a in areas
        ]

    @classmethod
    def initial_for(cls, reward: Reward) -> dict:
        return {
            "area": reward.area.code,
            "name": reward.name,
            "kind": reward.kind,
            "cost": reward.cost,
            "stock": reward.stock,
            "description": reward.description,
            "active": reward.active,
        }


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Username or name"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


KIND_CHOICES = [("", gettext_lazy("All kinds")), *Reward.Kind.choices]


class CatalogueFilterForm(forms.Form):
    """The rewards page's filters: name, kind, only what the person can redeem now."""

    q = forms.CharField(
        label=gettext_lazy("Name contains"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KIND_CHOICES, required=False)
    affordable = forms.BooleanField(
        label=gettext_lazy("Only what I can redeem now"), required=False
    )

    def filters(self) -> dict:
        """The valid filters; a field sent wrong counts as not sent (and shows its error)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "affordable": bool(data.get("affordable")),
        }


class ManagedRewardFilterForm(forms.Form):
    """/points/manage/'s filters of the rewards on offer (prefix ``r``)."""

    OFFERED = [
        ("", gettext_lazy("Offered or not")),
        ("yes", gettext_lazy("Offered")),
        ("no", gettext_lazy("Not offered")),
    ]
    q = forms.CharField(
        label=gettext_lazy("Name contains"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KIND_CHOICES, required=False)
    offered = forms.ChoiceField(label=gettext_lazy("Offered"), choices=OFFERED, required=False)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        offered = {"yes": True, "no": False}.get(data.get("offered", ""))
        return {"q": data.get("q", ""), "kind": data.get("kind", ""), "offered": offered}


class WaitingFilterForm(forms.Form):
    """/points/manage/'s filter of the redemptions to hand over (prefix ``w``)."""

    q = forms.CharField(
        label=gettext_lazy("Person or reward"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"q": data.get("q", "")}
