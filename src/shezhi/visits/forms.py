"""The phone form a worker records a visit with: parsing only; ``services`` decides."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.core.forms import PhotosField

from . import checklist, intervals
from .models import Visit


def _name(resident) -> str:
    # The name the view chose to show (a child's masked for some readers), else the name.
    return getattr(resident, "shown_name", resident.name)


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Visit.Outcome.choices, widget=forms.RadioSelect,
        initial=Visit.Outcome.MET,
    )  # fmt: skip
    met = forms.MultipleChoiceField(
        label=_("Whom you met"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_person = forms.CharField(
        label=_("Someone else (a carer, a visitor)"), required=False, max_length=100
    )
    items = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(i.code, i.label) for i in checklist.ITEMS],
    )  # fmt: skip
    proposals = forms.MultipleChoiceField(
        label=_("Tag changes to propose"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    photos = PhotosField(label=_("Photos"))
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.residents = list(residents)
        self.fields["met"].choices = [(str(r.pk), _name(r)) for r in self.residents]
        choices = []
        for r in self.residents:
            has = set(r.tag_list)
            for tag in intervals.ALLOWED_TAGS:
                add = tag not in has
                sign = "+" if add else "−"
                choices.append(
                    (f"{r.pk}:{tag}:{int(add)}", f"{_name(r)} {sign}{intervals.LABELS[tag]}")
                )
        self.fields["proposals"].choices = choices
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4().hex

    def items_of(self, group: str):
        chosen = set(self["items"].value() or [])
        return [
            {"code": i.code, "label": i.label, "checked": i.code in chosen,
             "id": f"id_items_{i.code}"}
            for i in checklist.items_of(group)
        ]  # fmt: skip

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        proposals = []
        for value in data["proposals"]:
            resident, tag, add = value.split(":")
            proposals.append({"resident": resident, "tag": tag, "add": add == "1"})
        return {
            "outcome": data["outcome"],
            "met": data["met"],
            "other_person": data["other_person"],
            "items": data["items"],
            "notes": data["notes"],
            "tag_proposals": proposals,
            "photos": data["photos"],
            "idempotency_key": data["key"],
        }
