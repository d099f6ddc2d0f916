"""The staff's post form and the registry filters.

The form only parses; every rule (location, hours, responsible person, photos)
belongs to ``services``, whose errors the view puts back next to their field.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.core.forms import MultipleFileInput, PhotosField

from . import hours as opening
from .models import ServiceHub, ServicePost

HOURS_HELP = _(
    "One line per day or range of days, e.g. “mon-fri: 08:30-12:00, 14:00-17:30” and"
    " “sat: 09:00-12:00”. Days: mon tue wed thu fri sat sun; a day not listed is closed."
)


class PlaceForm(forms.Form):
    """The fields a post's form and a hub's share (``models.PublicPlace``), and how the
    form's text becomes the services' input: hours from one line per day, services
    from one per line."""

    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        help_text=HOURS_HELP,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    services = forms.CharField(
        label=_("Services"),
        required=False,
        help_text=_("One service per line, e.g. “代办社保”, “法律咨询”."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_hours(self):
        try:
            return opening.parse_text(self.cleaned_data.get("hours", ""))
        except opening.HoursError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_services(self):
        text = self.cleaned_data.get("services", "")
        return [s.strip() for s in re.split(r"[\n\r]+", text) if s.strip()]

    def place_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "address": d.get("address", ""),
            "opening_hours": d.get("hours") or {},
            "services": d.get("services") or [],
            "phone": d.get("phone", ""),
            "public_mobile_confirmed": bool(d.get("public_mobile_confirmed")),
            "description": d.get("description", ""),
        }

    @staticmethod
    def place_initial(place) -> dict:
        return {
            "lng": place.lng,
            "lat": place.lat,
            "address": place.address,
            "hours": opening.as_text(place.opening_hours or {}),
            "services": "\n".join(place.services or []),
            "phone": place.phone,
            "description": place.description,
        }


class PostForm(PlaceForm):
    field_order = ["name", "type", "lng", "lat", "address", "hours", "services",
                   "responsible", "phone", "public_mobile_confirmed", "description", "photos",
                   "remove_photos"]  # fmt: skip

    name = forms.CharField(label=_("Name"), max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=ServicePost.Type.choices)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    responsible = forms.CharField(
        label=_("Responsible person (username)"),
        required=False,
        max_length=150,
        help_text=_("A user holding a role in the post's area; leave empty for none."),
        widget=forms.TextInput(attrs={"list": "responsible-candidates", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Public phone of the post"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    public_mobile_confirmed = forms.BooleanField(
        label=_("This mobile number is the post's public service number"),
        required=False,
        help_text=_(
            "The phone is shown to everybody on the post's public page. A mobile number is"
            " usually somebody's own: tick this only for a phone the post keeps for the"
            " public. Landlines and 400 or hotline numbers need no tick."
        ),
    )
    photos = PhotosField(
        label=_("Add photos"),
        help_text=_("JPEG, PNG or WebP; up to six."),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    remove_photos = forms.MultipleChoiceField(
        label=_("Remove photos"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, post: ServicePost | None = None, **kwargs):
        if post is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **self.place_initial(post),
                "name": post.name,
                "type": post.type,
                "responsible": post.responsible.get_username() if post.responsible_id else "",
            }
        super().__init__(*args, **kwargs)
        if post is not None:
            self.fields["remove_photos"].choices = [
                (str(p.pk), p.caption or f"#{p.pk}") for p in post.photos.all()
            ]
        else:
            del self.fields["remove_photos"]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            **self.place_kwargs(),
            "name": d["name"],
            "type": d["type"],
            "lng": d.get("lng"),
            "lat": d.get("lat"),
            "responsible": d.get("responsible", ""),
            "photos": d.get("photos") or [],
        }


ACTIVE_CHOICES = [("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or address"), required=False, max_length=50)
    area = forms.CharField(label=_("Area code"), required=False, max_length=18)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *ServicePost.Type.choices]
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def filters(self) -> dict:
        self.is_valid()
        d = self.cleaned_data
        return {
            "q": d.get("q", ""),
            "area": (d.get("area") or "").strip(),
            "type": d.get("type", ""),
            "active": {"yes": True, "no": False}.get(d.get("active", "")),
        }


# ---------------------------------------------------------------------------
# Service hubs

DUTIES_HELP = _(
    "One person a line: their number in the people registry, the days, then the duty,"
    " e.g. “1024 mon-fri 值班社工” or “2048 sat,sun 志愿者”."
)
_DUTY_RE = re.compile(r"^\s*(\d{1,18})\s+([A-Za-z,，\-]+)\s*(.*)$")


class HubForm(PlaceForm):
    """A hub's fields; ``tier``, ``area`` and ``compound`` only when it is opened."""

    field_order = ["tier", "area", "compound", "name", "lng", "lat", "address", "hours",
                   "services", "phone", "public_mobile_confirmed", "description", "duties",
                   "active"]  # fmt: skip

    tier = forms.ChoiceField(label=_("Tier"), choices=ServiceHub.Tier.choices)
    area = forms.CharField(
        label=_("Area code"),
        required=False,
        max_length=40,
        help_text=_("The district, street or community served (not for a compound hub)."),
    )
    compound = forms.IntegerField(
        label=_("Compound number"),
        required=False,
        min_value=1,
        help_text=_("For a compound hub: the compound's number in the household base."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    lng = forms.FloatField(label=_("Longitude (WGS84)"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude (WGS84)"), min_value=-90, max_value=90)
    phone = forms.CharField(
        label=_("Public phone of the hub"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    public_mobile_confirmed = forms.BooleanField(
        label=_("This mobile number is the hub's public service number"), required=False
    )
    duties = forms.CharField(
        label=_("Duty roster"),
        required=False,
        help_text=DUTIES_HELP,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    active = forms.BooleanField(label=_("Shown to the public"), required=False, initial=True)

    def __init__(self, *args, hub: ServiceHub | None = None, **kwargs):
        self.hub = hub
        if hub is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **self.place_initial(hub),
                "name": hub.name,
                "active": hub.active,
                "duties": "\n".join(
                    " ".join(x for x in (str(d.person_id), ",".join(d.days), d.duty) if x)
                    for d in hub.duties.all()
                ),
            }
        super().__init__(*args, **kwargs)
        if hub is not None:
            for name in ("tier", "area", "compound"):
                del self.fields[name]

    def clean_duties(self):
        rows = []
        for n, line in enumerate((self.cleaned_data.get("duties") or "").splitlines(), 1):
            if not line.strip():
                continue
            match = _DUTY_RE.match(line)
            if match is None:
                raise forms.ValidationError(
                    _("Line %(n)d: write the person's number, the days, then the duty.") % {"n": n}
                )
            try:
                days = opening.days_of(match.group(2).lower(), n)
            except opening.HoursError as exc:
                raise forms.ValidationError(str(exc)) from None
            rows.append(
                {"person": int(match.group(1)), "days": days, "duty": match.group(3).strip()}
            )
        return rows

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        out = {
            **self.place_kwargs(),
            "name": d["name"],
            "lng": d["lng"],
            "lat": d["lat"],
            "active": bool(d.get("active")),
            "duties": d.get("duties") or [],
        }
        if self.hub is None:
            out.update(tier=d["tier"], area=d.get("area") or None, compound=d.get("compound"))
        return out
