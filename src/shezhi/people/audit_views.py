from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from . import audit

PAGE_SIZE = 50


@login_required
def audit_log(request):
    if not audit.can_read_audit_log(request.user):
        raise Http404
    q = request.GET.get("q", "")
    page = Paginator(audit.audit_entries(request.user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "people/audit_log.html",
        {"page": page, "q": q, "rows": audit.present_entries(page.object_list)},
    )
