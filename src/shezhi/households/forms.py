"""The forms of the household pages: the list's filters, a reveal, a resident's tags."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import permissions
from . import tags as tagset
from .models import Household, Resident


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Room or name"), required=False, max_length=50)
    tag = forms.ChoiceField(
        label=_("Tag"),
        required=False,
        choices=[("", _("All")), *((t, tagset.LABELS[t]) for t in tagset.PLAIN)],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Household.Kind.choices],
    )

    def filters(self) -> dict:
        """The selector's keyword arguments; a value that does not validate is ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "tag": data.get("tag", ""),
            "kind": data.get("kind", ""),
        }


REVEAL_LABELS = {
    "phone": _("Phone"),
    "id_number": _("ID number"),
    "sensitive_tags": _("Sensitive tags"),
}


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Value to reveal"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded with your name and the time."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        present = {
            "phone": bool(resident.phone_last4),
            "id_number": bool(resident.id_number_last4),
            "sensitive_tags": True,
        }
        from .services import REVEALS

        choices = [
            (name, REVEAL_LABELS[name])
            for name, action in REVEALS.items()
            if present[name] and permissions.can(user, action, resident)
        ]
        self.fields["field"].choices = choices
        if choices:
            self.fields["field"].initial = choices[0][0]


class TagsForm(forms.Form):
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        required=False,
        choices=[(t, tagset.LABELS[t]) for t in tagset.PLAIN],
        widget=forms.CheckboxSelectMultiple,
    )
