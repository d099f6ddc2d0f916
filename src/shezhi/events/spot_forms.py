"""The phone form of 当场处置 (on-the-spot handling): what was found, what was done,
photos before and after, and where.

It only parses; every rule (which categories, whose grid, the after-photo) is
``spot.handle_on_spot``'s, whose errors the view puts next to their field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.core.forms import MultipleFileInput, PhotosField

from . import spot
from .forms import PlacedSubmission, category_label


def spot_category_choices() -> list:
    """The subcategories that may be handled on the spot, under their class."""
    choices: list = [("", _("Choose what you handled"))]
    groups: dict = {}
    for sub in spot.spot_categories():
        groups.setdefault(sub.parent, []).append((sub.code, category_label(sub)))
    for top, subs in groups.items():
        choices.append((category_label(top), subs))
    return choices


class SpotForm(PlacedSubmission, forms.Form):
    category = forms.ChoiceField(label=_("What did you handle?"), choices=())
    before_photos = PhotosField(
        label=_("Photos before"),
        help_text=_(
            "What you found, up to six photos; a photo's location is used if you mark none."
        ),
    )
    description = forms.CharField(
        label=_("What was wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    after_photos = PhotosField(
        label=_("Photos after (required)"),
        help_text=_("At least one photo of the result, up to six."),
        widget=MultipleFileInput(
            attrs={"accept": "image/*", "capture": "environment", "required": True}
        ),
    )
    result = forms.CharField(
        label=_("What you did"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    idempotency_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=""
    )

    def category_choices(self) -> list:
        return spot_category_choices()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"],
            "result": data["result"],
            "before_photos": data.get("before_photos") or [],
            "after_photos": data.get("after_photos") or [],
            "lng": data.get("lng"),
            "lat": data.get("lat"),
            "address": data.get("address", ""),
            "idempotency_key": data.get("idempotency_key", ""),
        }
