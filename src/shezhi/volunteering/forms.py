"""Parsing the staff's activity form; the service decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import SLOTS_MAX, TITLE_MAX

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ActivityForm(forms.Form):
    post = forms.ModelChoiceField(queryset=None, label=_("Service post"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("What volunteers will do"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), input_formats=LOCAL_FORMATS, widget=LocalDateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), input_formats=LOCAL_FORMATS, widget=LocalDateTimeInput()
    )
    slots = forms.IntegerField(label=_("Places"), min_value=1, max_value=SLOTS_MAX, initial=10)

    def __init__(self, *args, posts=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["post"]
        else:
            self.fields["post"].queryset = posts
            self.fields["post"].label_from_instance = lambda p: f"{p.name} · {p.area.name}"
