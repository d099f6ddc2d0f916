"""The staff pages' forms: parsing only (yuan → fen, percent → basis points, exactly,
with ``Decimal``, never a float); the services decide and name the field they refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.core import money

from .models import Payment
from .services import AMOUNT_MAX, BATCH_MAX, NAME_MAX, TEXT_MAX

# A refund's or a reversal's reason: the ledger line's note (``services`` refuses longer).
REASON_MAX = 200


def exact(text, places: int, message) -> int:
    """ "12.5" → 1250 with ``places`` = 2: the number × 10^places, refused when it has
    more decimals than that (a fen cannot be split) or is not a number
    (``core.money.scaled``)."""
    try:
        return money.scaled(text, places)
    except money.NotAnAmount:
        raise forms.ValidationError(message) from None


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


class UndoForm(forms.Form):
    """A refund or a reversal: its reason (the service refuses it empty, naming the field)."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required. It is kept with the ledger's line and shown in the public accounts:"
            " no personal details."
        ),
    )


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


BATCH_CHANNELS = (Payment.Channel.BANK, Payment.Channel.WECHAT, Payment.Channel.ALIPAY)
YES = {"1", "y", "yes", "true", "named", "是", "实名"}
NO = {"", "0", "n", "no", "false", "否"}
SHEET_MAX_BYTES = 2 * 1024 * 1024


class PaymentBatchForm(forms.Form):
    """Many payments at once (a settlement file, a bank statement): rows pasted from a
    spreadsheet or an .xlsx, parsed to the service's lines; every unreadable row named."""

    rows = forms.CharField(
        label=_("Rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "One payment a row: payer's name, amount (yuan), channel (bank, wechat or"
            " alipay), reference, and “yes” if the payer chose to be named; separated by"
            " tabs (pasted from a spreadsheet) or commas. Cash is recorded one at a time."
        ),
    )
    sheet = forms.FileField(
        label=_("Or a spreadsheet (.xlsx)"),
        required=False,
        help_text=_("The same columns from the first sheet's first row (a header row is skipped)."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean(self):
        data = super().clean()
        sheet, text = data.get("sheet"), (data.get("rows") or "").strip()
        if sheet is not None:
            table = self._sheet_rows(sheet)
        elif text:
            table = [
                [c.strip() for c in (row.split("\t") if "\t" in row else row.split(","))]
                for row in text.splitlines()
            ]
        else:
            raise forms.ValidationError(_("Paste the rows or choose a spreadsheet."))
        table = [(n, row) for n, row in enumerate(table, start=1) if any(row)]
        if table and _is_header(table[0][1]):
            table = table[1:]
        if not table:
            raise forms.ValidationError(_("Paste the rows or choose a spreadsheet."))
        if len(table) > BATCH_MAX:
            raise forms.ValidationError(_("At most %(n)s rows at a time.") % {"n": BATCH_MAX})
        lines, errors = [], []
        for n, row in table:
            try:
                lines.append(_line(row))
            except forms.ValidationError as exc:
                errors.append(_("Row %(n)s: %(error)s") % {"n": n, "error": exc.messages[0]})
        if errors:
            raise forms.ValidationError(errors)
        data["lines"], data["row_numbers"] = lines, [n for n, _row in table]
        return data

    def _sheet_rows(self, sheet) -> list[list[str]]:
        import openpyxl

        if sheet.size > SHEET_MAX_BYTES:
            raise forms.ValidationError(_("The spreadsheet is larger than 2 MB."))
        try:
            book = openpyxl.load_workbook(sheet, read_only=True, data_only=True)
            ws = book.worksheets[0]
            rows = [
                ["" if v is None else str(v).strip() for v in row]
                for row in ws.iter_rows(max_row=BATCH_MAX + 2, max_col=5, values_only=True)
            ]
            book.close()
        except Exception:
            raise forms.ValidationError(_("This is not a readable .xlsx file.")) from None
        return rows


def _is_header(row: list[str]) -> bool:
    """A first row whose amount cell holds no digit is the columns' names."""
    amount = row[1] if len(row) > 1 else ""
    return not any(ch.isdigit() for ch in amount)


def _line(row: list[str]) -> dict:
    row = [*row, "", "", "", "", ""][:5]
    name, amount, channel, reference, named = row
    if not name:
        raise forms.ValidationError(_("the payer's name is missing."))
    fen = exact(amount, 2, _("the amount is not in yuan with at most two decimals."))
    if fen <= 0:
        raise forms.ValidationError(_("the amount must be more than zero."))
    channel = _channel(channel)
    if not reference:
        raise forms.ValidationError(_("the reference is missing."))
    flag = named.strip().lower()
    if flag not in YES | NO:
        raise forms.ValidationError(_("“named” is yes or no."))
    return {
        "payer_name": name,
        "amount": fen,
        "channel": channel,
        "reference": reference,
        "named": flag in YES,
    }


def _channel(text: str) -> str:
    wanted = text.strip().lower()
    for value in BATCH_CHANNELS:
        label = str(Payment.Channel(value).label).lower()
        if wanted in (value, label):
            return value
    aliases = {"银行": "bank", "银行转账": "bank", "微信": "wechat", "微信支付": "wechat",
               "支付宝": "alipay"}  # fmt: skip
    if wanted in aliases:
        return aliases[wanted]
    raise forms.ValidationError(_("the channel is bank, wechat or alipay."))
