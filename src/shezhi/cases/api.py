"""Case studies under /api/v1/cases.

- ``GET /cases``: published cases, newest first, to anyone (no sign-in needed); ``q=``
  searches them in Chinese (core.search: every word of the query, whole words, best
  first); ``tag=`` one tag; ``status=draft|reviewed|all`` (staff): the cases of their
  scope in that state.
  Pages of ``limit`` with ``after`` → ``next_cursor``. A search (``q=``) reads the
  published cases only, best first; ``tag`` and ``status`` do not narrow it.
- ``GET /cases/{id}``: a published case (no sign-in needed), or (staff) one of their
  scope in any state.
- ``POST /cases`` (staff): a draft in an area of theirs (``area``: its code), written
  from a ``source`` (``{"kind": "demands.demandgroup", "id": 12}``) whose figures it
  starts with; ``PUT /cases/{id}`` edits; ``POST .../review`` (someone other than the
  writer), ``.../publish``, ``.../unpublish``.
- Outside the caller's scope an unpublished case is a 404; bad input a 400 naming the
  field, nothing written.
"""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from shezhi.areas.models import Area
from shezhi.core.apitypes import AreaRef, Cursor, ErrorOut, Id, Limit, NotFoundOut
from shezhi.core.errors import BadInput
from shezhi.core.lists.pages import keyset_page

from . import hooks, permissions, selectors, services
from .models import Case

router = Router()

WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: NotFoundOut, 409: ErrorOut}


class FigureIO(Schema):
    label: str = Field(max_length=40)
    value: int | float | str
    unit: str = Field("", max_length=10)


class SourceIn(Schema):
    kind: str = Field(max_length=100, description="a registered kind: app_label.modelname")
    id: Id


class SourceOut(Schema):
    kind: str
    label: str
    id: int | None


class CaseIn(Schema):
    area: str = Field(max_length=30, description="the code of an area you work in")
    title: str = Field(max_length=services.TITLE_MAX)
    summary: str = Field("", max_length=services.SUMMARY_MAX)
    background: str = Field("", max_length=services.TEXT_MAX)
    approach: str = Field("", max_length=services.TEXT_MAX)
    results: str = Field("", max_length=services.TEXT_MAX)
    tags: list[str] = Field(default_factory=list, max_length=services.TAGS_MAX)
    figures: list[FigureIO] | None = Field(
        None, max_length=services.FIGURES_MAX, description="omitted: the source's figures"
    )
    source: SourceIn | None = None


class CaseUpdate(Schema):
    area: str | None = Field(None, max_length=30)
    title: str | None = Field(None, max_length=services.TITLE_MAX)
    summary: str | None = Field(None, max_length=services.SUMMARY_MAX)
    background: str | None = Field(None, max_length=services.TEXT_MAX)
    approach: str | None = Field(None, max_length=services.TEXT_MAX)
    results: str | None = Field(None, max_length=services.TEXT_MAX)
    tags: list[str] | None = Field(None, max_length=services.TAGS_MAX)
    figures: list[FigureIO] | None = Field(None, max_length=services.FIGURES_MAX)
    refresh_figures: bool = Field(False, description="take the source's figures anew")


class CaseOut(Schema):
    id: int
    title: str
    summary: str
    status: str
    tags: list[str]
    area: AreaRef
    url: str
    published_at: dt.datetime | None
    snippet: str = Field("", description="where the search words stand (searches only)")


class CaseDetailOut(CaseOut):
    background: str
    approach: str
    results: str
    figures: list[FigureIO]
    source: SourceOut | None
    photos: list[str]
    created_at: dt.datetime
    reviewed_at: dt.datetime | None


class CaseList(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="pass as `after` for the next page")


class CaseQuery(Schema):
    q: str = Field("", max_length=100, description="words to search for, in Chinese")
    tag: str = Field("", max_length=services.TAG_MAX)
    status: Literal["published", "draft", "reviewed", "all"] = "published"
    after: Cursor | None = None
    limit: Limit = 20


def _out(case: Case, *, detail: bool = False) -> dict:
    a = case.area
    out = {
        "id": case.pk,
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "tags": case.tag_list,
        "area": {"code": a.code, "name": a.name, "level": a.level},
        "url": reverse("cases:detail", args=[case.pk]),
        "published_at": case.published_at,
        "snippet": getattr(case, "snippet", ""),
    }
    if detail:
        ct = case.source_type
        out |= {
            "background": case.background,
            "approach": case.approach,
            "results": case.results,
            "figures": case.figures,
            "source": (
                {
                    "kind": f"{ct.app_label}.{ct.model}" if ct else "",
                    "label": case.source_label,
                    "id": case.source_id,
                }
                if case.source_label
                else None
            ),
            "photos": [reverse("cases:photo", args=[case.pk, p.pk]) for p in case.photos.all()],
            "created_at": case.created_at,
            "reviewed_at": case.reviewed_at,
        }
    return out


def _area(user, code: str) -> Area:
    area = Area.objects.filter(code=code).defer("boundary").first()
    if area is None or not permissions.can(user, "write", area):
        raise BadInput(_("Choose an area you work in."), field="area")
    return area


def _source(user, src: SourceIn | None):
    if src is None:
        return None
    kind = hooks.source_for(src.kind)
    if kind is None:
        raise BadInput(_("A case cannot be written from this kind of record."), field="source")
    from django.apps import apps

    model = apps.get_model(kind.model_label)
    obj = model._default_manager.filter(pk=src.id).first()
    area = getattr(obj, "area", None)
    if obj is None or (area is not None and not permissions.can(user, "write", area)):
        raise BadInput(_("No such record in your area."), field="source")
    return obj


# The library is public (its page is): the published cases' list and detail answer
# without sign-in, as the lists' public endpoint. A signed-in caller (session, or a
# token: core.auth's middleware signs it in before ninja looks) still reads their drafts.
@router.get(
    "/cases",
    response={200: CaseList, 400: ErrorOut},
    auth=None,
    summary="Cases: list and search (no sign-in for the published)",
)
def list_cases(request: HttpRequest, filters: Query[CaseQuery]):
    user = request.user
    if filters.q.strip():
        cases, cursor = selectors.search(filters.q, limit=filters.limit, after=filters.after)
        return {"items": [_out(c) for c in cases], "next_cursor": cursor}
    if filters.status == "published":
        qs = selectors.published()
    else:
        qs = selectors.managed(user)
        if filters.status != "all":
            qs = qs.filter(status=filters.status)
    qs = selectors.with_tag(qs, filters.tag)
    page = keyset_page(
        qs, order=["-id"], limit=filters.limit, after=filters.after, field_name="after"
    )
    return {"items": [_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/cases/{case_id}", response={200: CaseDetailOut, 404: NotFoundOut}, auth=None)
def case_detail(request: HttpRequest, case_id: Id):
    return _out(selectors.get_readable(request.user, case_id), detail=True)


@router.post(
    "/cases", response={201: CaseDetailOut, **WRITE_ERRORS}, summary="Write a case (staff)"
)
def create_case(request: HttpRequest, payload: CaseIn):
    user = request.user
    if not permissions.can(user, "write"):
        raise Http404
    case = services.create_case(
        actor=user,
        area=_area(user, payload.area),
        title=payload.title,
        summary=payload.summary,
        background=payload.background,
        approach=payload.approach,
        results=payload.results,
        tags=payload.tags,
        figures=None if payload.figures is None else [f.model_dump() for f in payload.figures],
        source=_source(user, payload.source),
    )
    return Status(201, _out(case, detail=True))


@router.put("/cases/{case_id}", response={200: CaseDetailOut, **WRITE_ERRORS})
def update_case(request: HttpRequest, case_id: Id, payload: CaseUpdate):
    user = request.user
    case = selectors.get_managed(user, case_id)
    changes = payload.model_dump(exclude_none=True, exclude={"refresh_figures"})
    if "area" in changes:
        changes["area"] = _area(user, changes["area"])
    case = services.update_case(
        actor=user, case=case, refresh_figures=payload.refresh_figures, **changes
    )
    return _out(case, detail=True)


@router.post("/cases/{case_id}/review", response={200: CaseDetailOut, **WRITE_ERRORS})
def review_case(request: HttpRequest, case_id: Id):
    case = selectors.get_managed(request.user, case_id)
    return _out(services.review_case(actor=request.user, case=case), detail=True)


@router.post("/cases/{case_id}/publish", response={200: CaseDetailOut, **WRITE_ERRORS})
def publish_case(request: HttpRequest, case_id: Id):
    case = selectors.get_managed(request.user, case_id)
    return _out(services.publish_case(actor=request.user, case=case), detail=True)


@router.post("/cases/{case_id}/unpublish", response={200: CaseDetailOut, **WRITE_ERRORS})
def unpublish_case(request: HttpRequest, case_id: Id):
    case = selectors.get_managed(request.user, case_id)
    return _out(services.unpublish_case(actor=request.user, case=case), detail=True)
