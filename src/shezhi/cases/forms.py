"""The staff editor's form: the texts, tags, figures (one per line: 名称 | 数值 | 单位),
the area among those the writer works, and photos."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.forms import MultipleFileInput, PhotosField

from . import permissions, services

WRITE_LEVELS = (c.DISTRICT, c.STREET, c.COMMUNITY)


def writable_areas(user):
    """The areas a case of ``user`` may belong to: districts, streets and communities
    in their scope of work."""
    qs = Area.objects.filter(level__in=WRITE_LEVELS).defer("boundary").order_by("path")
    q = permissions.scope(user, "write", field="path")
    return qs if q is None else qs.filter(q)


class CaseForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Area"))
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=services.SUMMARY_MAX,
        required=False,
        help_text=_("One or two sentences shown in the library."),
    )
    background = forms.CharField(
        label=_("Background"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    approach = forms.CharField(
        label=_("Approach"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    results = forms.CharField(
        label=_("Results"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    figures = forms.CharField(
        label=_("Figures"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: label | value | unit, e.g. 提出诉求的居民 | 27 | 户"),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas, e.g. 加装电梯，老旧小区改造"),
    )
    photos = PhotosField(label=_("Photos"), widget=MultipleFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = writable_areas(user)
        self.fields["area"].label_from_instance = lambda a: f"{a.name}（{a.get_level_display()}）"

    def clean_figures(self) -> list[dict]:
        out = []
        for n, line in enumerate(self.cleaned_data["figures"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Line %(n)d: write label | value | unit.") % {"n": n})
            unit = parts[2] if len(parts) > 2 else ""
            out.append({"label": parts[0], "value": _number(parts[1]), "unit": unit})
        return out


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def figures_text(figures: list[dict]) -> str:
    return "\n".join(
        f"{f['label']} | {f['value']} | {f.get('unit', '')}".rstrip(" |") for f in figures
    )
