"""The report forms: a resident's report, a patrol, a hotline transfer, an assignment.

The forms only parse what the browser sent; every rule about categories,
locations, photos, anonymity and contacts belongs to ``services.report_event``,
whose errors the view puts back next to the field they are about.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shezhi.core.forms import PhotosField

from . import selectors


def category_label(category) -> str:
    """The category's name in the page's language (English names where there are some)."""
    if (get_language() or "").startswith("en") and category.name_en:
        return category.name_en
    return category.name


def category_choices() -> list:
    """Subcategories grouped under their class, for a ``<select>`` with ``<optgroup>``s."""
    choices: list = [("", _("Choose what kind of problem it is"))]
    for top, subs in selectors.category_tree():
        if subs:
            choices.append((category_label(top), [(sub.code, category_label(sub)) for sub in subs]))
    return choices


def no_anonymous_codes() -> list[str]:
    """Subcategories that cannot be reported anonymously (the page greys the box out)."""
    return [
        sub.code
        for _top, subs in selectors.category_tree()
        for sub in subs
        if not sub.allows_anonymous
    ]


class PlacedSubmission:
    """What every form that submits an event at a point does, whatever its fields: the
    category choices it offers, one idempotency key per form shown, and a point given
    whole (both coordinates) or not at all. Mixed into a ``forms.Form`` that declares
    ``category``, ``lng``, ``lat`` and ``idempotency_key``."""

    def category_choices(self) -> list:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = self.category_choices()
        if not self.is_bound:
            # One key per form shown: a double tap or a retried POST makes one event.
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean(self):
        data = super().clean()
        lng, lat = data.get("lng"), data.get("lat")
        if (lng is None) != (lat is None) and "lng" not in self.errors:
            self.add_error("lng", _("The point needs both a longitude and a latitude."))
        return data


class ReportForm(PlacedSubmission, forms.Form):
    """What every report holds; subclasses add or drop fields per source."""

    category = forms.ChoiceField(label=_("What is the problem?"), choices=())
    description = forms.CharField(
        label=_("Describe it"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": _("What is wrong, since when, anything that helps to find it"),
            }
        ),
    )
    photos = PhotosField(
        label=_("Photos"),
        help_text=_(
            "Take or choose up to six photos; a photo's location is used if you mark none."
        ),
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously (others will not see who reported it)"), required=False
    )
    idempotency_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=""
    )

    def category_choices(self) -> list:
        return category_choices()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"],
            "lng": data.get("lng"),
            "lat": data.get("lat"),
            "address": data.get("address", ""),
            "anonymous": bool(data.get("anonymous")),
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("contact_phone", ""),
            "photos": data.get("photos") or [],
            "idempotency_key": data.get("idempotency_key", ""),
        }


class PatrolForm(ReportForm):
    """A grid worker's own finding on patrol: no anonymity, no caller."""

    anonymous = None


class HotlineForm(ReportForm):
    """A 12345 hotline transfer, entered by staff with the caller's contact."""

    anonymous = forms.BooleanField(label=_("The caller asks to stay anonymous"), required=False)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    register_now = forms.BooleanField(
        label=_("Register it now (it meets the conditions to register)"),
        required=False,
        initial=True,
    )


class AssignForm(ReportForm):
    """An event assigned from above: registered at once."""

    anonymous = None
