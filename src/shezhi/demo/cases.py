"""The demo's case library (典型案例, issue 16 §5): the cases of ``case_texts`` spread
over the demo district's communities, most published (and in the full-text search),
a few still drafts or reviewed for the staff's pages.

The first community (the one with households) gets the first cases, written by its
community staff; the others are written by the street's staff. Published over the last
year, newest first. Bulk-created (cases, then their search documents): well under a
second. Idempotent: nothing is written when the district is missing or a case exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.cases.models import Case
from shezhi.cases.selectors import DOC_TYPE
from shezhi.core import search
from shezhi.core.lists import subtree_q
from shezhi.core.search.models import SearchDocument

from .case_texts import CASES
from .households import COMMUNITY_CODE

DISTRICT_CODE = COMMUNITY_CODE[:6]
# The last cases of the list stay unpublished: one reviewed, two drafts.
UNPUBLISHED = {len(CASES) - 3: Case.Status.REVIEWED, len(CASES) - 2: Case.Status.DRAFT,
               len(CASES) - 1: Case.Status.DRAFT}  # fmt: skip


def _users() -> dict:
    names = ("community_staff", "dawan_staff", "qbj_admin")
    found = get_user_model().objects.filter(username__in=names)
    return {u.username: u for u in found}


def build_demo_cases() -> int:
    """Write the demo's cases; returns how many (0: nothing to do)."""
    district = Area.objects.filter(code=DISTRICT_CODE).defer("boundary").first()
    if district is None or Case.objects.exists():
        return 0
    communities = list(
        Area.objects.filter(subtree_q("path", district.path), level=c.COMMUNITY)
        .defer("boundary")
        .order_by("code")
    )
    if not communities:
        return 0
    first = next((a for a in communities if a.code == COMMUNITY_CODE), communities[0])
    others = [a for a in communities if a != first] or [first]
    users = _users()
    now = timezone.now()
    cases = []
    for i, text in enumerate(CASES):
        area = first if i % 3 == 0 else others[(i * 7) % len(others)]
        writer = users.get("community_staff" if area == first else "dawan_staff")
        status = UNPUBLISHED.get(i, Case.Status.PUBLISHED)
        written = now - timedelta(days=360 - i * 10, hours=i)
        reviewed = status != Case.Status.DRAFT
        published = status == Case.Status.PUBLISHED
        cases.append(
            Case(
                title=text["title"],
                summary=text["summary"],
                background=text["background"],
                approach=text["approach"],
                results=text["results"],
                figures=[{"label": lb, "value": v, "unit": u} for lb, v, u in text["figures"]],
                tags=f" {' '.join(text['tags'])} ",
                area=area,
                area_path=area.path,
                status=status,
                created_by=writer,
                reviewed_by=users.get("dawan_staff") if reviewed else None,
                reviewed_at=written + timedelta(days=2) if reviewed else None,
                published_by=users.get("qbj_admin") if published else None,
                published_at=written + timedelta(days=3) if published else None,
            )
        )
    made = Case.objects.bulk_create(cases)
    # created_at is auto_now_add: set the story's dates after the insert.
    for case, i in zip(made, range(len(made)), strict=True):
        case.created_at = now - timedelta(days=360 - i * 10, hours=i)
    Case.objects.bulk_update(made, ["created_at"])
    rows = []
    for case in made:
        if case.status != Case.Status.PUBLISHED:
            continue
        figures = " ".join(f"{f['label']} {f['value']}{f['unit']}" for f in case.figures)
        rows.append(
            {
                "doc_type": DOC_TYPE,
                "object_id": case.pk,
                "title": case.title,
                "body": "\n".join(
                    [
                        case.summary,
                        case.background,
                        case.approach,
                        case.results,
                        figures,
                        case.tags,
                    ]
                ),
                "area_path": case.area_path,
                "url": reverse("cases:detail", args=[case.pk]),
                "published": True,
            }
        )
    SearchDocument.objects.bulk_create(search.document_rows(rows))
    return len(made)
