"""The residents' and initiators' phone forms: parsing only (yuan → fen, dates); the
services decide. A refusal from a service comes back on the field it names."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shezhi.core import money

from . import services
from .models import BudgetLine, Payment

# Lines of budget a proposal form offers (blank lines are left out); a phone page
# works without script, so the rows are there from the start.
BUDGET_ROWS = 5


def fen_of(text: str) -> int:
    """ "12.5" / "12.50" / "¥1,200" yuan → fen, exactly (``core.money``)."""
    try:
        fen = money.fen(text)
    except money.NotAnAmount as exc:
        if exc.reason == "decimals":
            raise forms.ValidationError(_("At most two decimals (fen).")) from None
        if exc.reason == "negative":
            raise forms.ValidationError(_("The amount must be more than zero.")) from None
        raise forms.ValidationError(_("Give an amount in yuan, e.g. 12.50.")) from None
    if fen == 0:
        raise forms.ValidationError(_("The amount must be more than zero."))
    if fen > services.AMOUNT_MAX:
        raise forms.ValidationError(_("The amount is too large."))
    return fen


class YuanField(forms.CharField):
    """An amount typed in yuan, cleaned to whole fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return fen_of(value)


def end_of(day) -> datetime:
    """The last second of ``day``, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class DateInput(forms.DateInput):
    input_type = "date"


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX)
    area = forms.ChoiceField(label=_("Where it serves"))
    problem = forms.CharField(
        label=_("The problem"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.CharField(
        label=_("The plan"), max_length=services.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("Crowdfunding deadline"), widget=DateInput)
    allow_overfunding = forms.BooleanField(
        label=_("Accept money above the target (up to the district's cap)"), required=False
    )
    organisation = forms.CharField(
        label=_("On behalf of an organisation (optional)"), max_length=100, required=False
    )
    # The files are read by the view (request.FILES) and checked by the service; the field
    # is here so a refused photo is shown beside its input.
    photos = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.name) for a in areas]
        for i in range(BUDGET_ROWS):
            self.fields[f"line{i}_kind"] = forms.ChoiceField(
                label=_("Kind"), choices=BudgetLine.Kind.choices, required=False
            )
            self.fields[f"line{i}_description"] = forms.CharField(
                label=_("What"), max_length=200, required=False
            )
            self.fields[f"line{i}_amount"] = YuanField(label=_("Yuan"), required=False)

    def budget_rows(self):
        """Each row's three bound fields, for the template."""
        return [
            (
                i,
                self[f"line{i}_kind"],
                self[f"line{i}_description"],
                self[f"line{i}_amount"],
            )
            for i in range(BUDGET_ROWS)
        ]

    def clean(self):
        data = super().clean()
        lines, rows = [], []
        for i in range(BUDGET_ROWS):
            description = (data.get(f"line{i}_description") or "").strip()
            amount = data.get(f"line{i}_amount")
            if not description and amount is None and f"line{i}_amount" not in self.errors:
                continue  # a blank row
            if not description:
                self.add_error(f"line{i}_description", _("Say what this line is for."))
            if amount is None and f"line{i}_amount" not in self.errors:
                self.add_error(f"line{i}_amount", _("Give the line's amount."))
            lines.append(
                {
                    "kind": data.get(f"line{i}_kind") or BudgetLine.Kind.OTHER,
                    "description": description,
                    "amount": amount,
                }
            )
            rows.append(i)
        if not lines and not self.errors:
            self.add_error("line0_description", _("Give at least one budget line."))
        data["budget"], self.budget_row_of = lines, rows
        return data

    def error_fields(self) -> dict[str, str]:
        """A service's ``budget.N.x`` (N among the lines given) → the form's row field."""
        out = {"budget": "line0_description"}
        for n, i in enumerate(getattr(self, "budget_row_of", [])):
            for part in ("kind", "description", "amount"):
                out[f"budget.{n}.{part}"] = f"line{i}_{part}"
        return out


class PledgeForm(forms.Form):
    amount = YuanField(label=_("Amount (yuan)"))
    named = forms.BooleanField(label=_("Show my name in the public accounts"), required=False)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=200, required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=services.TITLE_MAX)
    due = forms.DateField(label=_("Due"), widget=DateInput)


class MilestoneDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=services.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)


class ExpenseForm(forms.Form):
    payee = forms.CharField(label=_("Paid to"), max_length=100)
    description = forms.CharField(label=_("What for"), max_length=200)
    amount = YuanField(label=_("Amount (yuan)"))
    milestone = forms.TypedChoiceField(
        label=_("Milestone (optional)"), coerce=int, required=False, empty_value=None
    )
    receipt = forms.ImageField(label=_("Receipt photo"))

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [("", "—")] + [(m.pk, m.title) for m in milestones]


class PaymentForm(forms.Form):
    payer_name = forms.CharField(label=_("Payer's name"), max_length=services.NAME_MAX)
    amount = YuanField(label=_("Amount (yuan)"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Payment.Channel.choices)
    reference = forms.CharField(
        label=_("Reference (bank, WeChat or Alipay; not for cash)"), max_length=64, required=False
    )
    receipt = forms.ImageField(label=_("Receipt photo (cash)"), required=False)
    named = forms.BooleanField(label=_("The payer chose to be named"), required=False)


class CompleteForm(forms.Form):
    closing_note = forms.CharField(
        label=_("Closing note"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
