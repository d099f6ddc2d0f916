"""The page kit's Python half: a service's refusal shown on the page it came from.

Services refuse with the project's error classes (a message for people, a field, a
status). Pages show the refusal either as a flash message (a button that redirects
back) or next to the form field it names (a form shown again); the API turns the
same errors into its 4xx body in one handler of its own.

    done = attempt(request, services.sign_up, user=request.user, activity=activity,
                   success=_("You have signed up."))
    return redirect(...)

    done = attempt(request, services.create_post, actor=user, form=form, fields=ERROR_FIELDS,
                   **form.service_kwargs())
    if done:
        return redirect(...)
    return render(..., status=done.status)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages

# The one place the pages learn the project's error vocabulary.
from shezhi.core.errors import EventError as Refusal

__all__ = ["Done", "Refusal", "attempt", "show_on_form"]


@dataclass(frozen=True)
class Done:
    """What ``attempt`` did: the service's result, or the refusal it showed."""

    value: Any = None
    error: Refusal | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The page's status: the refusal's own (400, 403, 409…), else 200."""
        return self.error.status if self.error is not None else 200

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""


def show_on_form(form, exc: Refusal, fields: Mapping[str, str | None] | None = None) -> None:
    """A refusal next to the form field it names (renamed by ``fields``), else on the form."""
    field = exc.field
    if fields is not None:
        field = fields.get(field or "", field)
    form.add_error(field if field in form.fields else None, exc.message)


def attempt(
    request,
    service: Callable[..., Any],
    /,
    *args,
    success: str | Callable[[Any], str] | None = None,
    form=None,
    fields: Mapping[str, str | None] | None = None,
    quiet: bool = False,
    **kwargs,
) -> Done:
    """Call ``service(*args, **kwargs)``; show a refusal instead of raising it.

    A refusal goes next to ``form``'s field when a form is given, else into a flash
    error message, unless ``quiet`` (the page shows ``Done.message`` where it belongs,
    e.g. beside the row acted on). On success, ``success`` (a text, or a function of the result
    giving one) becomes a flash success message. Nothing else is caught.
    """
    try:
        value = service(*args, **kwargs)
    except Refusal as exc:
        if form is not None:
            show_on_form(form, exc, fields)
        elif not quiet:
            messages.error(request, exc.message)
        return Done(error=exc)
    if success is not None:
        messages.success(request, success(value) if callable(success) else success)
    return Done(value=value)
