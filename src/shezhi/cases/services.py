"""Writes of case studies: create (from a source, with its figures), edit, add photos,
review, publish, take back. Every check runs before anything is written (a refusal is
a ``BadInput`` naming the field, ``Forbidden`` or ``NotAllowed``); then one transaction
writes the case and keeps the full-text index in step with it: a published case is in
the index, any other is not.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core import search as fulltext
from shezhi.core.errors import BadInput, Forbidden, NotAllowed
from shezhi.core.inputs import text as _text
from shezhi.core.photos import process_photos

from . import hooks, permissions
from .models import Case, CasePhoto
from .selectors import DOC_TYPE

TITLE_MAX = 200
SUMMARY_MAX = 300
TEXT_MAX = 5000
TAG_MAX = 20
TAGS_MAX = 10
FIGURES_MAX = 12
TEXT_FIELDS = {"summary": SUMMARY_MAX, "background": TEXT_MAX, "approach": TEXT_MAX,
               "results": TEXT_MAX}  # fmt: skip
_TAG_SPLIT = re.compile(r"[\s,，、;；#]+")


def clean_tags(value) -> str:
    """Tags from text ("加装电梯，老旧小区改造") or a list, stored space-bounded."""
    if value is None:
        return ""
    if isinstance(value, str):
        items = _TAG_SPLIT.split(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = [p for v in value for p in _TAG_SPLIT.split(v)]
    else:
        raise BadInput(_("Tags are words separated by commas."), field="tags")
    tags: list[str] = []
    for t in (t.strip() for t in items):
        if t and t not in tags:
            if len(t) > TAG_MAX:
                msg = _("A tag has at most %(n)s characters.") % {"n": TAG_MAX}
                raise BadInput(msg, field="tags")
            tags.append(t)
    if len(tags) > TAGS_MAX:
        raise BadInput(_("At most %(n)s tags.") % {"n": TAGS_MAX}, field="tags")
    return f" {' '.join(tags)} " if tags else ""


def clean_figures(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > FIGURES_MAX:
        raise BadInput(_("At most %(n)s figures.") % {"n": FIGURES_MAX}, field="figures")
    out = []
    for f in value:
        if not isinstance(f, dict):
            raise BadInput(_("Each figure has a label, a value and a unit."), field="figures")
        label = _text(f.get("label"), 40, "figures", required=True)
        v = f.get("value")
        if isinstance(v, bool) or not isinstance(v, (int, float, str)) or len(str(v)) > 20:
            raise BadInput(_("A figure's value is a number or a short text."), field="figures")
        out.append({"label": label, "value": v, "unit": _text(f.get("unit"), 10, "figures")})
    return out


def _source(source) -> tuple[object, str]:
    kind = hooks.source_for(source._meta.label_lower)
    if kind is None:
        raise BadInput(_("A case cannot be written from this kind of record."), field="source")
    return kind, f"{kind.label}: {source}"[:300]


def _area_path(area: Area) -> str:
    return area.path


def _index(case: Case) -> None:
    """Keep the full-text index in step with the case: published → in it, else out."""
    if not case.is_published:
        fulltext.unindex_document(doc_type=DOC_TYPE, object_id=case.pk)
        return
    figures = " ".join(f"{f['label']} {f['value']}{f.get('unit', '')}" for f in case.figures)
    body = "\n".join(
        [case.summary, case.background, case.approach, case.results, figures, case.tags]
    )
    fulltext.index_document(
        doc_type=DOC_TYPE,
        object_id=case.pk,
        title=case.title,
        body=body,
        area_path=case.area_path,
        url=reverse("cases:detail", args=[case.pk]),
        published=True,
    )


def create_case(
    *,
    actor,
    area: Area,
    title: str,
    summary: str = "",
    background: str = "",
    approach: str = "",
    results: str = "",
    tags="",
    figures: list | None = None,
    source=None,
) -> Case:
    """A draft case in ``area``; written from ``source`` (a registered kind of record),
    its figures start as the source's (unless ``figures`` are given)."""
    if area is None:
        raise BadInput(_("Choose the area the case belongs to."), field="area")
    if not permissions.can(actor, "write", area):
        raise Forbidden(_("Only the staff of this area write its cases."))
    fields = {"title": _text(title, TITLE_MAX, "title", required=True)}
    for name, limit in TEXT_FIELDS.items():
        fields[name] = _text(locals()[name], limit, name)
    fields["tags"] = clean_tags(tags)
    source_label = ""
    if source is not None:
        _kind, source_label = _source(source)
        if figures is None:
            figures = hooks.figures_of(source)
    fields["figures"] = clean_figures(figures)
    with transaction.atomic():
        case = Case.objects.create(
            **fields,
            area=area,
            area_path=_area_path(area),
            source=source,
            source_label=source_label,
            created_by=actor,
        )
    return case


def update_case(*, actor, case: Case, refresh_figures: bool = False, **changes) -> Case:
    """Change a case's texts, tags, figures or area. A reviewed case goes back to draft
    (it must be reviewed again); a published one stays published, re-indexed.
    ``refresh_figures``: take the source's figures anew."""
    if not permissions.can(actor, "write", case):
        raise Forbidden(_("Only the staff of this area write its cases."))
    allowed = {"title", "area", "tags", "figures", *TEXT_FIELDS}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise BadInput(_("Unknown field %(f)s.") % {"f": unknown[0]}, field=unknown[0])
    values: dict = {}
    if "title" in changes:
        values["title"] = _text(changes["title"], TITLE_MAX, "title", required=True)
    for name, limit in TEXT_FIELDS.items():
        if name in changes:
            values[name] = _text(changes[name], limit, name)
    if "tags" in changes:
        values["tags"] = clean_tags(changes["tags"])
    if "figures" in changes:
        values["figures"] = clean_figures(changes["figures"])
    if refresh_figures:
        if case.source is None:
            raise BadInput(_("This case was not written from a record."), field="source")
        values["figures"] = clean_figures(hooks.figures_of(case.source))
    if "area" in changes:
        area = changes["area"]
        if area is None or not permissions.can(actor, "write", area):
            raise BadInput(_("Choose an area you work in."), field="area")
        values["area"], values["area_path"] = area, _area_path(area)
    with transaction.atomic():
        for k, v in values.items():
            setattr(case, k, v)
        if case.status == Case.Status.REVIEWED:
            case.status, case.reviewed_by, case.reviewed_at = Case.Status.DRAFT, None, None
        case.save()
        _index(case)
    return case


def add_photos(*, actor, case: Case, photos, caption: str = "") -> list[CasePhoto]:
    if not permissions.can(actor, "write", case):
        raise Forbidden(_("Only the staff of this area write its cases."))
    caption = _text(caption, 200, "caption")
    processed = process_photos(photos)
    if case.photos.count() + len(processed) > 12:
        raise BadInput(_("At most 12 photos per case."), field="photos")
    with transaction.atomic():
        return [
            CasePhoto.objects.create(case=case, image=p.content, caption=caption) for p in processed
        ]


def review_case(*, actor, case: Case) -> Case:
    """draft → reviewed, by a staff member other than the writer."""
    if not permissions.can(actor, "review", case):
        raise Forbidden(_("Only the staff of this area review its cases."))
    if case.status != Case.Status.DRAFT:
        raise NotAllowed(_("Only a draft is reviewed."))
    if case.created_by_id == actor.pk:
        raise Forbidden(_("A case is reviewed by someone other than its writer."))
    with transaction.atomic():
        case.status, case.reviewed_by, case.reviewed_at = (
            Case.Status.REVIEWED,
            actor,
            timezone.now(),
        )
        case.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return case


def publish_case(*, actor, case: Case) -> Case:
    """reviewed → published: public, and in the full-text search."""
    if not permissions.can(actor, "publish", case):
        raise Forbidden(_("Only the staff of this area publish its cases."))
    if case.status != Case.Status.REVIEWED:
        raise NotAllowed(_("A case is reviewed before it is published."))
    with transaction.atomic():
        case.status, case.published_by, case.published_at = (
            Case.Status.PUBLISHED,
            actor,
            timezone.now(),
        )
        case.save(update_fields=["status", "published_by", "published_at", "updated_at"])
        _index(case)
    return case


def unpublish_case(*, actor, case: Case) -> Case:
    """published → draft: off the public pages and out of the search."""
    if not permissions.can(actor, "publish", case):
        raise Forbidden(_("Only the staff of this area publish its cases."))
    if case.status != Case.Status.PUBLISHED:
        raise NotAllowed(_("Only a published case is taken back."))
    with transaction.atomic():
        case.status = Case.Status.DRAFT
        case.published_by = case.published_at = case.reviewed_by = case.reviewed_at = None
        case.save()
        _index(case)
    return case
