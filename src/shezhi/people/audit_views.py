from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from shezhi.core.lists import page_of

from . import audit

PAGE_SIZE = 50


@login_required
def audit_log(request):
    if not audit.can_read_audit_log(request.user):
        raise Http404
    q = request.GET.get("q", "")
    # Numbered pages over the latest thousand entries, older ones by cursor (page_of).
    page = page_of(
        audit.audit_entries(request.user, q=q), request.GET, order=audit.ORDER, per_page=PAGE_SIZE
    )
    return render(
        request,
        "people/audit_log.html",
        {"page": page, "q": q, "rows": audit.present_entries(page.object_list)},
    )
