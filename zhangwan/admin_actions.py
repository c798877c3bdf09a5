"""Bulk actions of the admin that change many rows through a service, after a confirmation page.

An action calls ``confirmation(modeladmin, request, queryset, question=…)``: on the first press it
returns the page that lists the selection (all rows of every page when "select all" was used) and
asks again — with a reason field when ``reason`` is given; once confirmed it returns the reason
("" when none was asked), and the action calls its service, which checks each row's state and writes
the history. Nothing calls ``queryset.update``."""

from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse

SHOWN = 20  # rows listed on the page; the count says how many in all


def confirmation(modeladmin, request, queryset, *, question, reason=None) -> HttpResponse | str:
    given = request.POST.get("reason", "").strip()
    if request.POST.get("confirmed") == "yes" and (reason is None or given):
        return given
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": question, "question": question, "opts": opts, "reason_label": reason, "reason": given,
        "missing_reason": reason is not None and request.POST.get("confirmed") == "yes",
        "rows": queryset[:SHOWN], "count": queryset.count(), "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"), "index": request.POST.get("index", "0"),
    }
    return TemplateResponse(request, "admin/confirm_bulk.html", context)
