"""Form fields every app's pages share."""

from __future__ import annotations

from django import forms


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files, passed on untouched: ``shezhi.core.photos`` checks each one."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if data is None or data is False:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [f for f in files if f]
