"""Incentives, studios and the menu of talks."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.history import history_with_changes, save_with_history
from zhangwan.pagination import paginate
from zhangwan.query import year_param

from .. import selectors, tables
from ..filters import TalkOrderFilter
from ..forms import AttendanceForm, TalkOrderForm, TalkScheduleForm
from ..models import TalkOrder, TalkTopic
from ..services import incentives as services
from .common import OFFICER, READERS, manage_crumb

STAFF_READERS = (Role.MASTERS_OFFICER, Role.AUDITOR, Role.FINANCE_OFFICER)


@role_required(*STAFF_READERS)
def incentives(request):
    year = year_param(request)
    policies, grants = selectors.incentive_policies(), selectors.incentive_grants(year)
    if wants_xlsx(request):
        return tables.GRANTS.response(request, grants)
    page, query = paginate(request, grants)
    return render(request, "masters/incentives.html", {
        "policies": policies, "page": page, "query": query, "year": year,
        "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [manage_crumb(), (_("Incentives"), None)],
    })


@role_required(*STAFF_READERS)
def studios(request):
    rows = selectors.studios()
    if wants_xlsx(request):
        return tables.STUDIOS.response(request, rows)
    return render(request, "masters/studios.html", {
        "studios": rows, "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [manage_crumb(), (_("Studios"), None)],
    })


TALK_ROLES = (Role.LIAISON, Role.MASTERS_OFFICER, Role.AUDITOR)


@role_required(*TALK_ROLES)
def talk_menu(request):
    topics = TalkTopic.objects.filter(active=True)
    if wants_xlsx(request):
        return tables.TALK_MENU.response(request, topics)
    mine = []
    if has_role(request.user, Role.LIAISON) and request.user.organization_id:
        mine = TalkOrder.objects.filter(organization_id=request.user.organization_id).select_related("topic")
    return render(request, "masters/talk_menu.html", {
        "topics": topics, "mine": mine, "form": TalkOrderForm(), "can_order": has_role(request.user, Role.LIAISON),
        "crumbs": [(_("Talks"), None)],
    })


@role_required(Role.LIAISON)
def talk_order(request, pk):
    topic = get_object_or_404(TalkTopic, pk=pk, active=True)
    if not request.user.organization_id:
        raise Http404
    form = TalkOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        order = form.save(commit=False)
        order.topic, order.organization_id, order.ordered_by = topic, request.user.organization_id, request.user
        save_with_history(order, user=request.user)
        messages.success(request, _("Talk ordered; the union will schedule it with you."))
        return redirect("masters:talk_menu")
    return render(request, "masters/talk_order.html", {
        "topic": topic, "form": form, "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (topic.title, None)],
    })


@role_required(*READERS)
def talk_orders(request):
    filterset = TalkOrderFilter(request.GET or None, queryset=selectors.talk_orders())
    if wants_xlsx(request):
        return tables.TALK_ORDERS.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs)
    return render(request, "masters/talk_orders.html", {
        "page": page, "query": query, "filter": filterset, "totals": selectors.talk_totals(),
        "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (_("Orders and events"), None)],
    })


@role_required(*READERS)
def talk_manage(request, pk):
    order = get_object_or_404(TalkOrder.objects.select_related("topic", "organization", "ordered_by"), pk=pk)
    schedule = TalkScheduleForm(initial={"held_on": order.held_on or order.preferred_date,
                                         "speaker": order.speaker or order.topic.speaker, "venue": order.venue})
    attendance = AttendanceForm(initial={"attendance": order.attendance})
    if request.method == "POST":
        if not has_role(request.user, *OFFICER):
            raise Http404
        action = request.POST.get("action")
        with refusal_to(request):
            if action == "schedule":
                schedule = TalkScheduleForm(request.POST)
                if schedule.is_valid():
                    services.talk_schedule(order=order, user=request.user, **schedule.cleaned_data)
                    messages.success(request, _("Talk scheduled."))
                    return redirect("masters:talk_manage", pk=pk)
            elif action == "held":
                attendance = AttendanceForm(request.POST)
                if attendance.is_valid():
                    services.talk_record(order=order, user=request.user, **attendance.cleaned_data)
                    messages.success(request, _("Attendance recorded."))
                    return redirect("masters:talk_manage", pk=pk)
            elif action == "cancel":
                services.talk_cancel(order=order, user=request.user)
                messages.success(request, _("Talk cancelled."))
                return redirect("masters:talk_manage", pk=pk)
            else:
                messages.error(request, _("Unknown action."))
    return render(request, "masters/talk_manage.html", {
        "order": order, "schedule": schedule, "attendance": attendance, "can_edit": has_role(request.user, *OFFICER),
        "history": history_with_changes(order.history.select_related("history_user")),
        "crumbs": [(_("Talks"), reverse("masters:talk_menu")), (_("Orders and events"), reverse("masters:talk_orders")),
                   (order.topic.title, None)],
    })
