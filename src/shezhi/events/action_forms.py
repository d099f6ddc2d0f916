"""One small form per workflow action, for the working-side pages.

A form only parses what the page posts; every rule about the event (state,
actor, targets, deadlines) is ``services.perform``'s. Field names are the ones
the service names in its errors (``BadInput.field``), so an error lands by the
field it is about. Each form carries the event's ``version`` (optimistic
concurrency) and may carry ``next``, the page to go back to.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shezhi.core.widgets import PlainWidgets
from shezhi.people.models import Department

from . import selectors
from .models import Event, WhistleSummons
from .permissions import parties
from .services import report_in_minutes
from .wording import RESIDENT_ACTIONS
from .workflow import ACTIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the photos themselves are checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            files = [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        else:
            files = [super().clean(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _photo_field(label, *, required: bool = False) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=required,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Up to 6 photos; taken with the camera on a phone."),
    )


def _reason(label=None, *, required: bool = True, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ActionForm(forms.Form):
    """The fields every action posts: the version the user saw, and where to go next."""

    action: str = ""
    # A list draws many of these (a form per row): its widgets drawn in Python, the same
    # markup as Django's templates.
    default_renderer = PlainWidgets
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    # Fields whose values go into ``data`` (the rest: reason, photos, version, next).
    data_fields: tuple[str, ...] = ()
    # Fields shown when the form sits in a list row (None: the required ones).
    quick_fields: tuple[str, ...] | None = None
    # Undoes or refuses something: drawn as a warning button.
    danger = False
    # The step the event waits for: drawn first and open.
    primary = False

    def __init__(self, *args, event: Event, user=None, mine=None, choices=None, **kwargs):
        # Several forms (of several events) share a page: ids must not collide.
        kwargs.setdefault("auto_id", f"e{event.pk}-{self.action}-%s")
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        # What a list worked out for all its rows at once (the user's parts in the event,
        # ``selectors.DispatchChoices``), so that a row's form reads nothing itself.
        self.mine = mine
        self.choices = choices
        self.fields["version"].initial = event.version
        self.setup()

    def setup(self) -> None:
        """Per-event choices and defaults (override)."""

    # Shown to a resident (no staff part in the event): the steps in their words.
    resident = False

    @property
    def label(self) -> str:
        if self.resident and self.action in RESIDENT_ACTIONS:
            return str(RESIDENT_ACTIONS[self.action])
        return str(ACTIONS[self.action].label)

    @property
    def has_photos(self) -> bool:
        return "photos" in self.fields

    @property
    def visible(self) -> list:
        return [f for f in self if not f.is_hidden]

    @property
    def compact_fields(self) -> tuple[str, ...]:
        if self.quick_fields is not None:
            return self.quick_fields
        return tuple(f.name for f in self.visible if f.field.required)

    def compact_html(self, csrf_token) -> str | None:
        """The form as ``_action_form.html`` draws it with ``compact`` (a list row's
        one-tap form), drawn in Python: a list shows one per row, and the template's
        tags cost more than the rest of the row. None when the form is anything but a
        fresh one of plain fields (errors, choices drawn as radios or boxes): the
        template draws those."""
        if self.is_bound:
            return None
        fields = [f for f in self.visible if f.name in self.compact_fields]
        if any(f.widget_type in ("radioselect", "checkboxselectmultiple") for f in fields):
            return None
        url = reverse("events:act", args=[self.event.pk, self.action])
        enctype = format_html(' enctype="{}"', "multipart/form-data") if self.has_photos else ""
        out = [
            format_html(
                '<form class="action-form action-{} is-compact" method="post" action="{}"{}'
                ' data-action="{}" data-testid="form-{}">',
                self.action, url, enctype, self.action, self.action,
            )
        ]  # fmt: skip
        # What Django's {% csrf_token %} draws ("NOTPROVIDED": a view exempt from CSRF).
        if csrf_token and csrf_token != "NOTPROVIDED":  # noqa: S105
            out.append(
                format_html(
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
                )
            )
        out.append("".join(str(f) for f in self.hidden_fields()))
        for f in fields:
            target = getattr(f.field, "for_target", None)
            parts = [
                format_html(
                    '<div class="field" data-field="{}"{}>',
                    f.name,
                    format_html(' data-for-target="{}"', target) if target else "",
                ),
                format_html('<label for="{}">{}</label>', f.id_for_label, f.label),
                str(f),
            ]
            if f.help_text:
                parts.append(
                    format_html(
                        '<p class="help muted" id="{}_helptext">{}</p>', f.auto_id, f.help_text
                    )
                )
            out.append("\n".join([*parts, "</div>"]))
        out.append(
            format_html(
                '<button type="submit" class="button primary{}" data-testid="do-{}">{}</button>'
                "\n</form>",
                " danger" if self.danger else "", self.action, self.label,
            )
        )  # fmt: skip
        # Whitespace where the template has it: the same text between the same tags.
        return mark_safe("\n".join(out))  # noqa: S308 (each part escaped by format_html)

    def perform_kwargs(self) -> dict:
        """``services.perform`` keyword arguments from the cleaned data."""
        data = {
            name: self.cleaned_data.get(name)
            for name in self.data_fields
            if self.cleaned_data.get(name) not in (None, "", [])
        }
        return {
            "reason": self.cleaned_data.get("reason") or "",
            "expected_version": self.cleaned_data["version"],
            "data": data,
            "photos": self.cleaned_data.get("photos") or [],
        }


# --- the seven steps ------------------------------------------------------


class RegisterForm(ActionForm):
    action = "register"
    reason = _reason(_("Note"), required=False)


class DispatchForm(ActionForm):
    """Who handles it: the kind (承办方), then the one chooser that kind needs.

    Each chooser names the kind it belongs to (``for_target``): the page shows
    only the one matching the chosen kind (events.css, no script needed; where
    the browser cannot, both show and the other is ignored). The defaults come
    from ``selectors.dispatch_default``, the same in the queue and on the page.
    A kind whose chooser is left empty and has no default is refused by the
    chooser's name.
    """

    action = "dispatch"
    target = forms.ChoiceField(label=_("Handled by"), choices=Event.HandlerKind.choices)
    worker = forms.TypedChoiceField(
        label=_("Which worker"), required=False, coerce=int, empty_value=None, choices=()
    )
    department = forms.ChoiceField(label=_("Which department"), required=False, choices=())
    reason = _reason(_("Instructions"), required=False)
    data_fields = ("target", "worker", "department")
    quick_fields = ("target", "worker", "department")

    def setup(self) -> None:
        event = self.event
        choices = self.choices or selectors.dispatch_choices([event])[event.pk]
        departments = choices.departments
        default = choices.default
        self.default = default
        worker_choices = choices.workers
        self.fields["worker"].choices = [("", _("Choose the worker…")), *worker_choices]
        if default.worker is not None and any(pk == default.worker for pk, _n in worker_choices):
            self.fields["worker"].initial = default.worker
        self.fields["worker"].for_target = Event.HandlerKind.WORKER
        if self.mine is not None:
            mine = self.mine
        else:
            mine = parties(self.user, event) if self.user is not None else set()
        if "grid" in mine and "dispatcher" not in mine:
            # A grid worker dispatches only to the micro-grid's own worker (小事不出网格).
            self.fields["target"].choices = [
                (k, v) for k, v in Event.HandlerKind.choices if k == Event.HandlerKind.WORKER
            ]
            self.fields["target"].initial = Event.HandlerKind.WORKER
            del self.fields["department"]
            return
        self.fields["target"].choices = [("", _("Choose…")), *Event.HandlerKind.choices]
        self.fields["target"].initial = default.kind
        self.fields["department"].choices = [("", _("Choose the department…"))] + [
            (d.code, d.name) for d in departments
        ]
        self.fields["department"].initial = default.department
        self.fields["department"].for_target = Event.HandlerKind.DEPARTMENT

    def clean(self):
        data = super().clean()
        kind = data.get("target")
        default = self.default
        if kind == Event.HandlerKind.WORKER:
            data["department"] = None
            if data.get("worker") is None:
                if default.worker is None:
                    self.add_error("worker", _("Choose the worker who handles it."))
                else:
                    data["worker"] = default.worker
        elif kind == Event.HandlerKind.DEPARTMENT:
            data["worker"] = None
            if not data.get("department"):
                if not default.department:
                    self.add_error("department", _("Choose the department that handles it."))
                else:
                    data["department"] = default.department
        elif kind:
            data["worker"] = data["department"] = None
        return data


class AcceptForm(ActionForm):
    action = "accept"


class ReturnForm(ActionForm):
    action = "return"
    danger = True
    reason = _reason(_("Why it is not yours"))


class HandleForm(ActionForm):
    action = "handle"
    result = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = _photo_field(_("Photos of the result"))
    data_fields = ("result",)
    quick_fields = ("result", "photos")


class VerifyPassForm(ActionForm):
    action = "verify_pass"
    reason = _reason(_("Note"), required=False)


class VerifyFailForm(ActionForm):
    action = "verify_fail"
    danger = True
    reason = _reason(_("What is still wrong"))


class RequestDeferralForm(ActionForm):
    action = "request_deferral"
    reason = _reason(_("Why it must wait"))


class ApproveDeferralForm(ActionForm):
    action = "approve_deferral"
    reason = _reason(_("Note"), required=False)


class RejectDeferralForm(ActionForm):
    action = "reject_deferral"
    danger = True
    reason = _reason()


class ResumeForm(ActionForm):
    action = "resume"
    reason = _reason(_("Note"), required=False)


class ReopenForm(ActionForm):
    action = "reopen"
    reason = _reason(_("What is wrong again"))


class RateForm(ActionForm):
    action = "rate"
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Event.Rating.choices, widget=forms.RadioSelect
    )
    comment = _reason(_("Comment"), required=False)
    data_fields = ("rating", "comment")


class EscalateForm(ActionForm):
    action = "escalate"
    reason = _reason(_("Why the level above must take it"))


# --- whistle and report-in ------------------------------------------------


class WhistleForm(ActionForm):
    action = "whistle"
    departments = forms.MultipleChoiceField(
        label=_("Summon departments"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    report_in_minutes = forms.IntegerField(
        label=_("Report in within (minutes)"), min_value=1, max_value=24 * 60
    )
    reason = _reason(_("Why the departments are needed"))
    data_fields = ("departments", "report_in_minutes")

    def setup(self) -> None:
        departments = district_departments(self.event)
        self.fields["departments"].choices = [(d.code, d.name) for d in departments]
        if any(d.code == self.event.category.department_code for d in departments):
            self.fields["departments"].initial = [self.event.category.department_code]
        self.fields["report_in_minutes"].initial = report_in_minutes()


class ReportInForm(ActionForm):
    action = "report_in"
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_fields = ("note",)


class RateWhistleForm(ActionForm):
    action = "rate_whistle"
    summons = forms.TypedChoiceField(label=_("Department"), coerce=int, choices=())
    rating = forms.TypedChoiceField(
        label=_("Response"),
        coerce=int,
        choices=WhistleSummons.Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = _reason(_("Comment"), required=False)
    data_fields = ("summons", "rating", "comment")

    def setup(self) -> None:
        unrated = (
            WhistleSummons.objects.filter(whistle__event=self.event, rating__isnull=True)
            .select_related("department")
            .order_by("whistle__blown_at", "id")
        )
        self.fields["summons"].choices = [(s.pk, s.department.name) for s in unrated]


# --- duplicates, voiding, me too -----------------------------------------


class EventNumberField(forms.CharField):
    """An event's number (year + sequence, as shown) or its plain id → the id."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("Enter the event's number."), code="invalid")
        # A number is the four-digit year then the id padded to seven digits.
        return int(value[4:]) if len(value) >= 11 else int(value)


class MergeForm(ActionForm):
    action = "merge"
    master = EventNumberField(label=_("Number of the event it duplicates"), max_length=20)
    reason = _reason(_("Note"), required=False)
    data_fields = ("master",)


class VoidForm(ActionForm):
    action = "void"
    danger = True
    void_kind = forms.ChoiceField(
        label=_("Void as"),
        choices=[("invalid", _("Invalid")), ("duplicate", _("Duplicate"))],
        widget=forms.RadioSelect,
        initial="invalid",
    )
    reason = _reason()
    data_fields = ("void_kind",)


class MeTooForm(ActionForm):
    action = "me_too"


FORMS: dict[str, type[ActionForm]] = {
    f.action: f
    for f in (
        RegisterForm,
        VoidForm,
        MergeForm,
        DispatchForm,
        AcceptForm,
        ReturnForm,
        HandleForm,
        VerifyPassForm,
        VerifyFailForm,
        RequestDeferralForm,
        ApproveDeferralForm,
        RejectDeferralForm,
        ResumeForm,
        ReopenForm,
        RateForm,
        EscalateForm,
        WhistleForm,
        ReportInForm,
        RateWhistleForm,
        MeTooForm,
    )
}

# Actions a person takes on a page (the SLA scan's escalation is not one).
PAGE_ACTIONS = frozenset(FORMS)


def _form_head(event: Event, action: str, next_url: str, csrf_token) -> list[str]:
    """A compact row form's opening tag and hidden inputs (token, version, next), as the
    form's own ``compact_html`` draws them: shared by ``QuickButton`` and ``QuickDispatch``."""
    pk = event.pk
    out = [
        format_html(
            '<form class="action-form action-{} is-compact" method="post" action="{}"'
            ' data-action="{}" data-testid="form-{}">',
            action, reverse("events:act", args=[pk, action]), action, action,
        )
    ]  # fmt: skip
    if csrf_token and csrf_token != "NOTPROVIDED":  # noqa: S105 (as compact_html)
        out.append(
            format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        )
    next_value = format_html(' value="{}"', next_url) if next_url else ""
    out.append(
        format_html(
            '<input type="hidden" name="version" value="{}" id="e{}-{}-version">'
            '<input type="hidden" name="next"{} id="e{}-{}-next">',
            event.version, pk, action, next_value, pk, action,
        )
    )  # fmt: skip
    return out


class QuickButton:
    """A list row's one-tap form for an action with nothing to fill in (accept, resume,
    register …): the markup its ``ActionForm.compact_html`` draws, made without building
    the form (a list of 200 rows built 200 forms for their two hidden fields)."""

    def __init__(self, form_class: type[ActionForm], event: Event, next_url: str):
        self.action = form_class.action
        self.danger = form_class.danger
        self.event = event
        self.next_url = next_url

    @property
    def label(self) -> str:
        return str(ACTIONS[self.action].label)

    def compact_html(self, csrf_token) -> str:
        action = self.action
        out = _form_head(self.event, action, self.next_url, csrf_token)
        out.append(
            format_html(
                '<button type="submit" class="button primary{}" data-testid="do-{}">{}</button>'
                "\n</form>",
                " danger" if self.danger else "", action, self.label,
            )
        )  # fmt: skip
        return mark_safe("\n".join(out))  # noqa: S308 (each part escaped by format_html)


def _option_lines(choices, selected: str) -> str:
    """A select's options as ``PlainWidgets`` draws them (Django's ``select.html``): the
    first whose value is ``selected`` is marked."""
    out = []
    marked = False
    for value, label in choices:
        value = "" if value is None else str(value)
        mark = ""
        if not marked and value == selected:
            mark, marked = " selected", True
        out.append(
            f'\n  <option value="{conditional_escape(value)}"{mark}>{escape(str(label))}</option>\n'
        )
    return "".join(out)


class QuickDispatch:
    """A list row's dispatch form (``DispatchForm`` with ``compact``): the same markup as
    its ``compact_html``, drawn from what the list worked out for all its rows
    (``selectors.DispatchChoices``, the user's parts) without building the form. A queue
    of 50 rows built 50 forms (each a deep copy of its fields, three selects set up and
    drawn) for what differs between rows in an id and a default; the options of the
    district's departments, the same for every row of the district, are drawn once per
    page (``options``: the page's memo, shared by its rows)."""

    action = "dispatch"
    danger = False

    def __init__(self, event: Event, next_url: str, *, choices, mine, options: dict):
        self.event = event
        self.next_url = next_url
        self.choices = choices
        self.mine = mine
        self.options = options

    @property
    def label(self) -> str:
        return str(ACTIONS[self.action].label)

    def _options(self, key, choices, selected) -> str:
        """``_option_lines``, drawn once per page for the same choices and selection."""
        memo_key = (key, selected)
        if memo_key not in self.options:
            self.options[memo_key] = _option_lines(choices(), selected)
        return self.options[memo_key]

    def _field(self, name, label, options: str, *, required: bool, target: str = "") -> str:
        field_id = f"e{self.event.pk}-{self.action}-{name}"
        for_target = f' data-for-target="{target}"' if target else ""
        required_attr = " required" if required else ""
        return (
            f'<div class="field" data-field="{name}"{for_target}>\n'
            f'<label for="{field_id}">{escape(str(label))}</label>\n'
            f'<select name="{name}"{required_attr} id="{field_id}">{options}\n</select>\n'
            "</div>"
        )

    def compact_html(self, csrf_token) -> str:
        action = self.action
        fields = DispatchForm.base_fields
        choices, default = self.choices, self.choices.default
        kinds = Event.HandlerKind
        grid_only = "grid" in self.mine and "dispatcher" not in self.mine
        if grid_only:  # as DispatchForm.setup: only the micro-grid's own worker
            target = self._options(
                "grid", lambda: [(k, v) for k, v in kinds.choices if k == kinds.WORKER],
                kinds.WORKER,
            )  # fmt: skip
        else:
            target = self._options(
                "kinds", lambda: [("", _("Choose…")), *kinds.choices], default.kind or ""
            )
        worker_default = default.worker
        if worker_default is None or not any(p == worker_default for p, _n in choices.workers):
            worker_default = None
        workers = _option_lines(
            [("", _("Choose the worker…")), *choices.workers],
            "" if worker_default is None else str(worker_default),
        )
        parts = _form_head(self.event, action, self.next_url, csrf_token)
        # Django marks a select required only when its first option is the empty one.
        parts.append(self._field("target", fields["target"].label, target, required=not grid_only))
        parts.append(
            self._field("worker", fields["worker"].label, workers, required=False,
                        target=kinds.WORKER)
        )  # fmt: skip
        if not grid_only:
            departments = choices.departments
            empty = ("", _("Choose the department…"))
            options = self._options(
                ("departments", id(departments)),
                lambda: [empty, *((d.code, d.name) for d in departments)],
                default.department or "",
            )
            parts.append(
                self._field("department", fields["department"].label, options, required=False,
                            target=kinds.DEPARTMENT)
            )  # fmt: skip
        parts.append(
            format_html(
                '<button type="submit" class="button primary" data-testid="do-{}">{}</button>'
                "\n</form>",
                action, self.label,
            )
        )  # fmt: skip
        return mark_safe("\n".join(parts))  # noqa: S308 (each part escaped)


def _button_only(form_class: type[ActionForm]) -> bool:
    """The form has nothing to fill in a row: its own fields are the version and the next
    page (hidden), any other is optional and not asked for in a row, and it sets up nothing."""
    fields = form_class.base_fields
    hidden = [n for n, f in fields.items() if f.widget.is_hidden]
    shown_in_row = (
        form_class.quick_fields
        if form_class.quick_fields is not None
        else [n for n, f in fields.items() if f.required and not f.widget.is_hidden]
    )
    return (
        hidden == ["version", "next"]
        and not shown_in_row
        and "photos" not in fields
        and form_class.setup is ActionForm.setup
    )


BUTTON_ONLY = frozenset(name for name, cls in FORMS.items() if _button_only(cls))


def quick_form(
    action: str, event: Event, user, next_url: str, *, mine=None, choices=None, options=None
) -> ActionForm | QuickButton | QuickDispatch:
    """A list row's one-tap form for ``action``, going back to ``next_url``: a
    ``QuickButton`` when there is nothing to fill in, a ``QuickDispatch`` for a dispatch
    whose ``choices`` the list worked out (``options``: the page's memo of drawn options,
    a dict shared by its rows), else the action's form."""
    if action in BUTTON_ONLY:
        return QuickButton(FORMS[action], event, next_url)
    if action == "dispatch" and choices is not None and options is not None:
        if mine is None:
            mine = parties(user, event) if user is not None else set()
        return QuickDispatch(event, next_url, choices=choices, mine=mine, options=options)
    form = form_for(action, event, user, mine=mine, choices=choices)
    form.fields["next"].initial = next_url
    return form


def form_for(
    action: str, event: Event, user, data=None, files=None, *, mine=None, choices=None
) -> ActionForm:
    """The form of ``action`` for ``event``; ``mine`` and ``choices``: what a list already
    worked out for the row (``ActionForm``)."""
    return FORMS[action](data, files, event=event, user=user, mine=mine, choices=choices)


# --- choices --------------------------------------------------------------


def district_departments(event: Event) -> list[Department]:
    """The departments of the event's district, for dispatch and whistle choices."""
    return selectors.district_departments(event)
