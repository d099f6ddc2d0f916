"""core.widgets: the plain widgets drawn in Python are Django's own templates, to the byte."""

from __future__ import annotations

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from shezhi.core.widgets import PlainWidgets


class Everything(forms.Form):
    text = forms.CharField(initial='say "hi" & <b>bye</b>', max_length=20)
    empty = forms.CharField(required=False)
    number = forms.IntegerField(initial=1234567, min_value=0)
    decimal = forms.DecimalField(initial="3.50", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="/events/?a=1&b=<2>")
    hidden_none = forms.IntegerField(widget=forms.HiddenInput, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "data-x": mark_safe("<i>")}),
        initial="line one\n</textarea> & more",
    )
    blank_area = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(
        choices=[
            ("", "Choose…"),
            ("a", 'A "quoted" <one>'),
            (2, mark_safe("<b>safe</b>")),
            ("lazy", gettext_lazy("Deadline")),
            ("lazy_safe", mark_safe(gettext_lazy("<i>Deadline</i>"))),  # noqa: S308
        ],
        initial=2,
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")],
        initial="pear",
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], initial=[1, 2])
    typed = forms.TypedChoiceField(choices=[(1, "one")], coerce=int, required=False)
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    plain_file = forms.FileField(required=False)
    flag = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"x": False}))
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "e7-test-%s")
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update({"disabled": True, "readonly": False})


def draw_both(form) -> list[tuple[str, str, str]]:
    out = []
    for bound in form:
        form.renderer = DjangoTemplates()
        django = str(bound)
        form.renderer = PlainWidgets()
        plain = str(bound)
        out.append((bound.name, django, plain))
    return out


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "<script>", "number": "x", "choice": "a", "grouped": "apple", "many": ["2"],
         "area": "", "hidden": '"', "hidden_none": "3"},
    ],
)  # fmt: skip
def test_every_plain_widget_is_drawn_as_djangos_template_draws_it(data):
    form = Everything(data)
    if data is not None:
        form.is_valid()
    for name, django, plain in draw_both(form):
        assert plain == django, name


def test_a_file_already_there_is_left_to_the_template():
    class WithInitial(forms.Form):
        photo = forms.FileField(required=False)

    class Stored:
        url = "/media/p.jpg"

        def __str__(self):
            return "p.jpg"

    form = WithInitial(initial={"photo": Stored()})
    for name, django, plain in draw_both(form):
        assert plain == django and "p.jpg" in plain, name
    form = WithInitial(files={"photo": SimpleUploadedFile("a.jpg", b"x")})
    for name, django, plain in draw_both(form):
        assert plain == django, name


@pytest.mark.django_db
def test_every_action_form_of_the_events_draws_the_same(shared_cast, territory):
    from shezhi.events.action_forms import FORMS
    from shezhi.events.models import Event
    from tests.factories import EventFactory

    cast = shared_cast.assemble("community", "mg_worker", "cg", "zj")
    event = EventFactory(area=territory["micro1"], state=Event.State.REGISTERED)
    event = Event.objects.select_related("category", "area", "owner_area").get(pk=event.pk)
    for action, form_class in FORMS.items():
        form = form_class(event=event, user=cast.community)
        assert isinstance(form.renderer, PlainWidgets), action
        for name, django, plain in draw_both(form):
            assert plain == django, (action, name)
