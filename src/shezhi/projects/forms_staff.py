"""The staff pages' forms: parsing only (yuan → fen, percent → basis points, exactly,
with ``Decimal``, never a float); the services decide and name the field they refuse."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Payment
from .services import AMOUNT_MAX, NAME_MAX, TEXT_MAX


def exact(text, places: int, message) -> int:
    """ "12.5" → 1250 with ``places`` = 2: the number × 10^places, refused when it has
    more decimals than that (a fen cannot be split) or is not a number."""
    raw = str(text or "").strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise forms.ValidationError(message) from None
    if not value.is_finite():
        raise forms.ValidationError(message)
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise forms.ValidationError(message)
    return int(scaled)


class YuanField(forms.CharField):
    """An amount typed in yuan (up to two decimals), cleaned to whole fen."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        fen = exact(value, 2, _("Give an amount in yuan with at most two decimals, e.g. 12.50."))
        if fen < 0 or (fen == 0 and not self.allow_zero):
            raise forms.ValidationError(_("The amount must be more than zero."))
        if fen > AMOUNT_MAX:
            raise forms.ValidationError(_("The amount is too large."))
        return fen


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("refuse", _("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return or refuse: the initiator reads them."),
    )


class PaymentForm(forms.Form):
    payer_name = forms.CharField(label=_("Payer's name"), max_length=NAME_MAX)
    amount = YuanField(label=_("Amount (yuan)"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Payment.Channel.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        help_text=_(
            "The bank's or the gateway's reference; for cash, the receipt's number. A payment"
            " is recorded once per reference: sending the form again records nothing more."
        ),
    )
    # A plain file: ``core.photos`` checks it (size, type, pixels) when the service runs,
    # naming the field as the API does.
    receipt = forms.FileField(
        label=_("Receipt photo"),
        required=False,
        help_text=_("Required for cash."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    named = forms.BooleanField(label=_("The payer chose to be named"), required=False)


class RulesForm(forms.Form):
    backing_threshold = forms.IntegerField(
        label=_("Backings needed"), min_value=0, max_value=10_000
    )
    match_ratio = forms.CharField(
        label=_("Match ratio (%)"),
        max_length=10,
        help_text=_("Community money per 100 of residents' money: 100 = one for one."),
    )
    match_cap = YuanField(label=_("Match cap per project (yuan)"), allow_zero=True)
    overfunding_pct = forms.IntegerField(label=_("Overfunding cap (%)"), min_value=0, max_value=100)

    def clean_match_ratio(self):
        bp = exact(
            self.cleaned_data["match_ratio"],
            2,
            _("Give a percentage with at most two decimals, e.g. 50."),
        )
        if not 0 <= bp <= 100_000:
            raise forms.ValidationError(_("From 0 to 1000 percent."))
        return bp


class TopUpForm(forms.Form):
    amount = YuanField(label=_("Amount (yuan)"))
    reference = forms.CharField(
        label=_("Grant's document number"),
        max_length=64,
        help_text=_("Recorded once per number: sending the form again adds nothing."),
    )
