"""Pages of the case library.

Public (anyone, signed in or not; phone-first): the library with its search and tags
(``library``), one case (``detail``) and its photos. Staff (desktop): the cases of
their scope by state (``manage``), the editor (``create`` from a source or blank,
``edit``), and the review / publish / take-back buttons.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.errors import BadInput
from shezhi.core.pages import attempt
from shezhi.core.photos import served

from . import hooks, permissions, selectors, services
from .forms import CaseForm, figures_text
from .models import Case, CasePhoto

PAGE = 20
EDITABLE = ("area", "title", "summary", "background", "approach", "results", "tags", "figures")


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """典型案例库: search in Chinese (``q``), or browse by tag, newest first."""
    q = request.GET.get("q", "").strip()[:100]
    tag = request.GET.get("tag", "").strip()[: services.TAG_MAX]
    after = request.GET.get("after") or None
    error = ""
    next_cursor = None
    if q:
        try:
            cases, next_cursor = selectors.search(q, limit=PAGE, after=after)
        except BadInput as e:
            cases, error = [], e.message
    else:
        page = Paginator(selectors.with_tag(selectors.published(), tag), PAGE)
        number = request.GET.get("page", "1")
        current = page.get_page(number)
        cases = list(current.object_list)
        next_cursor = current.next_page_number() if current.has_next() else None
    return render(
        request,
        "cases/library.html",
        {
            "q": q,
            "tag": tag,
            "cases": cases,
            "tags": selectors.popular_tags(),
            "next_cursor": next_cursor,
            "error": error,
            "can_write": permissions.can(request.user, "write"),
        },
        status=400 if error else 200,
    )


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: public once published; its writers see their drafts here too."""
    case = selectors.get_readable(request.user, pk)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "photos": list(case.photos.all()),
            "can_write": permissions.can(request.user, "write", case),
        },
    )


@require_GET
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    case = selectors.get_readable(request.user, pk)
    found = CasePhoto.objects.filter(pk=photo_id, case=case).first()
    return served(found.image if found else None, public=case.is_published)


# ---------------------------------------------------------------------------
# Staff


def _require_writer(user) -> None:
    if not permissions.can(user, "write"):
        raise Http404


@require_GET
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _require_writer(request.user)
    status = request.GET.get("status", "")
    qs = selectors.managed(request.user)
    if status in Case.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), 50).get_page(request.GET.get("page", "1"))
    return render(
        request,
        "cases/manage.html",
        {
            "page": page,
            "status": status,
            "statuses": Case.Status.choices,
            "kinds": hooks.source_kinds(),
        },
    )


def _source_from(request, user):
    """``?source=demands.demandgroup:12``: the record a new case is written from."""
    raw = request.GET.get("source") or request.POST.get("source") or ""
    if not raw:
        return None, ""
    label, _sep, pk = raw.rpartition(":")
    kind = hooks.source_for(label)
    if kind is None or not pk.isdigit():
        raise Http404
    obj = apps.get_model(kind.model_label)._default_manager.filter(pk=int(pk)).first()
    area = getattr(obj, "area", None)
    if obj is None or (area is not None and not permissions.can(user, "write", area)):
        raise Http404
    return obj, raw


def _save_photos(request, case, form) -> bool:
    photos = form.cleaned_data.get("photos") or []
    if not photos:
        return True
    done = attempt(
        request, services.add_photos, actor=request.user, case=case, photos=photos, form=form
    )
    return bool(done)


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_writer(user)
    source, source_key = _source_from(request, user)
    initial = {}
    if source is not None:
        initial = {
            "title": str(source)[:200],
            "figures": figures_text(hooks.figures_of(source)),
            "area": getattr(source, "area", None),
        }
    form = CaseForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            services.create_case,
            actor=user,
            form=form,
            area=d["area"],
            title=d["title"],
            summary=d["summary"],
            background=d["background"],
            approach=d["approach"],
            results=d["results"],
            tags=d["tags"],
            figures=d["figures"],
            source=source,
        )
        if done and _save_photos(request, done.value, form):
            return redirect("cases:detail", done.value.pk)
        if done:
            return redirect("cases:edit", done.value.pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "case": None, "source": source, "source_key": source_key},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = selectors.get_managed(user, pk)
    initial = {
        "area": case.area,
        "title": case.title,
        "summary": case.summary,
        "background": case.background,
        "approach": case.approach,
        "results": case.results,
        "figures": figures_text(case.figures),
        "tags": "，".join(case.tag_list),
    }
    form = CaseForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            services.update_case,
            actor=user,
            case=case,
            form=form,
            success=_("The case is saved."),
            **{k: d[k] for k in EDITABLE},
        )
        if done and _save_photos(request, case, form):
            return redirect("cases:detail", case.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "case": case,
            "source": case.source,
            "source_key": "",
            "photos": list(case.photos.all()),
        },
        status=400 if form.is_bound else 200,
    )


def _step(request, pk, service, success):
    case = selectors.get_managed(request.user, pk)
    attempt(request, service, actor=request.user, case=case, success=success)
    return redirect("cases:detail", case.pk)


@require_POST
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.review_case, _("The case is reviewed."))


@require_POST
@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.publish_case, _("The case is published."))


@require_POST
@login_required
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.unpublish_case, _("The case is taken back to draft."))
