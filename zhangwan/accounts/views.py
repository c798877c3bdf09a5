import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.actions import refusal_to
from zhangwan.net import client_ip
from zhangwan.prepared import Prepared
from zhangwan.ratelimit import rate_limited, too_many
from zhangwan.registry.forms import WorkerContactForm
from zhangwan.registry.models import Worker
from zhangwan.sms import SmsError

from . import contact, reset, services
from .access import role_required
from .forms import (
    ClaimCodeForm,
    ClaimForm,
    EmailAddForm,
    MobileChangeForm,
    ResetCodeForm,
    ResetIdentifyForm,
    SetAccountForm,
)
from .models import Notification, User
from .roles import Role

logger = logging.getLogger(__name__)
# The record whose details matched (step 1) and, once its code was typed (step 2), the verified one.
SESSION_PENDING_KEY = "claim_pending_worker_id"
SESSION_CLAIM_KEY = "claim_worker_id"


def _session_worker(request, key):
    worker_id = request.session.get(key)
    return Worker.objects.filter(pk=worker_id, user__isnull=True).first() if worker_id else None


def _start_over(request):
    messages.info(request, _("Start by confirming who you are."))
    return redirect("accounts:claim")


def claim(request):
    """Step 1: a worker proves who they are with identity number, name and mobile."""
    if request.user.is_authenticated:
        return redirect("home")
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            worker = services.claim_identify(**form.cleaned_data, address=client_ip(request))
            request.session.pop(SESSION_CLAIM_KEY, None)
            request.session[SESSION_PENDING_KEY] = worker.pk
            _send_code(request, worker)
            return redirect("accounts:claim_code")
    return render(request, "accounts/claim.html", {"form": form})


def _send_code(request, worker):
    try:
        with refusal_to(request):
            services.claim_code_send(worker=worker, address=client_ip(request))
            messages.success(request, _("A six-digit code was sent to %(mobile)s.") % {"mobile": masked_mobile(worker)})
    except SmsError:
        logger.exception("claim code for worker %s not sent", worker.pk)
        messages.error(request, _("The text message could not be sent. Try again in a few minutes."))


def claim_code(request):
    """Step 2: the worker types the code sent to the mobile on file (or asks for another)."""
    worker = _session_worker(request, SESSION_PENDING_KEY)
    if worker is None:
        return _start_over(request)
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, worker)
        return redirect("accounts:claim_code")
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form, field="code"):
            services.claim_code_check(worker=worker, code=form.cleaned_data["code"], address=client_ip(request))
            request.session.cycle_key()
            request.session.pop(SESSION_PENDING_KEY, None)
            request.session[SESSION_CLAIM_KEY] = worker.pk
            return redirect("accounts:claim_password")
    return render(request, "accounts/claim_code.html", {"form": form, "mobile": masked_mobile(worker)})


def claim_password(request):
    """Step 3: the worker chooses a username and password and is logged in."""
    worker = _session_worker(request, SESSION_CLAIM_KEY)
    if worker is None and Worker.objects.filter(pk=request.session.get(SESSION_CLAIM_KEY) or 0,
                                                user__isnull=False).exists():
        # Claimed meanwhile (from another phone or browser), as the service would refuse it.
        request.session.pop(SESSION_CLAIM_KEY, None)
        messages.error(request, services.ALREADY_CLAIMED)
        return redirect("accounts:login")
    if worker is None:
        return _start_over(request)
    form = SetAccountForm(request.POST or None, initial={"username": worker.mobile})
    if request.method == "POST" and form.is_valid():
        with refusal_to(request) as refusal:
            try:
                user = services.worker_claim(worker_id=worker.pk, username=form.cleaned_data["username"],
                                             password=form.cleaned_data["password1"])
            except IntegrityError:
                form.add_error("username", _("This username is taken; choose another."))
            else:
                request.session.pop(SESSION_CLAIM_KEY, None)
                login(request, user, backend="zhangwan.accounts.backends.CachedModelBackend")
                messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
                return redirect("accounts:profile")
        if refusal:  # the record was claimed meanwhile
            return redirect("accounts:login")
    return render(request, "accounts/claim_password.html", {"form": form, "worker": worker})


def masked_mobile(worker):
    return f"{worker.mobile[:3]}****{worker.mobile[-4:]}"


def _own_worker(request):
    return Worker.objects.select_related("employer").filter(user=request.user).first()


@role_required(Role.WORKER)
def profile(request):
    worker = _own_worker(request)
    if worker is None:
        messages.info(request, _("Your account is not linked to a worker record."))
        return redirect("home")
    return render(request, "accounts/profile.html", {
        "worker": worker,
        "employments": worker.employments.select_related("organization"),
        "trades": worker.trades.select_related("trade"),
    })


@role_required(Role.WORKER)
def profile_edit(request):
    worker = _own_worker(request)
    if worker is None:
        return redirect("home")
    form = WorkerContactForm(request.POST or None, instance=worker)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your contact details were saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {
        "form": form, "crumbs": [(_("My record"), reverse("accounts:profile")), (_("Edit contact details"), None)],
    })


@role_required()
def notifications(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {
        "page": page, "crumbs": [(_("Notifications"), None)],
        "unread_notifications": request.user.notifications.unread().exists(),
    })


UNREAD = Prepared(lambda user_id: Notification.objects.filter(user=user_id).unread(), "user_id")


@role_required()
def unread_badge(request):
    """The navigation bar's unread count, loaded by the page (htmx) so pages can be cached. A fragment that
    needs none of the context processors (the top bar's items, messages): rendered without them, as a
    third of the requests of a busy hour are this one (docs/performance.md §9)."""
    unread = UNREAD.count(user_id=request.user.pk)
    return HttpResponse(render_to_string("accounts/unread_badge.html", {"unread": unread}))


@role_required()
def notification_open(request, pk):
    """Opening a notification marks it read, then goes where it points (or back to the list)."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        request.user.notifications.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("accounts:notifications")


@require_POST
@role_required()
def notifications_read(request):
    request.user.notifications.unread().update(read_at=timezone.now())
    return redirect("accounts:notifications")


# Password reset (zhangwan/accounts/reset.py) ------------------------------------------------------
# The worker record an identity number named (0: none that may reset), kept between the two steps.
SESSION_RESET_KEY = "reset_worker_id"


def password_reset(request):
    """The "forgot password" chooser: workers by identity number and SMS, staff by e-mail."""
    return render(request, "accounts/password_reset.html")


@rate_limited(reset.RESET_REQUESTS_PER_ADDRESS)
def worker_reset(request):
    """Step 1: the identity number. The answer is the same whether it has a login and mobile or not."""
    form = ResetIdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        worker = reset.resettable_worker(id_number) if reset.RESET_REQUESTS_PER_NUMBER.hit(id_number) else None
        reset.reset_code_send(worker=worker)
        request.session.cycle_key()
        request.session[SESSION_RESET_KEY] = worker.pk if worker else 0
        return redirect("accounts:worker_reset_code")
    return render(request, "accounts/worker_reset.html", {"form": form})


def worker_reset_code(request):
    """Step 2: the code from the text message and the new password."""
    if SESSION_RESET_KEY not in request.session:
        return redirect("accounts:worker_reset")
    worker = reset.resettable_worker_by_pk(request.session[SESSION_RESET_KEY])
    user = worker.user if worker else User()
    form = ResetCodeForm(user, request.POST or None)
    if request.method == "POST":
        address = client_ip(request)
        if reset.RESET_FAILURES_PER_ADDRESS.exceeded(address):
            return too_many(request, reset.RESET_FAILURES_PER_ADDRESS)
        if form.is_valid():
            if reset.reset_code_check(worker=worker, code=form.cleaned_data["code"], address=address):
                reset.password_reset_set(user=user, password=form.cleaned_data["new_password1"], how="sms")
                request.session.pop(SESSION_RESET_KEY, None)
                messages.success(request, _("Your password was changed. Log in with the new one."))
                return redirect("accounts:login")
            form.add_error("code", _("The code is wrong or has expired. Check the latest text message, or "
                                     "ask for a new code."))
    return render(request, "accounts/worker_reset_code.html", {"form": form})


class StaffResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the new password from the e-mailed link, also written in the user's history."""

    success_url = reverse_lazy("accounts:staff_reset_complete")

    def form_valid(self, form):
        reset.password_reset_set(user=form.user, password=form.cleaned_data["new_password1"], how="email")
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


# A worker's own e-mail address and mobile number (zhangwan/accounts/contact.py) -------------------
SESSION_EMAIL_KEY = "contact_new_email"
SESSION_MOBILE_KEY = "contact_new_mobile"


def _contact_crumbs(title):
    return [(_("My record"), reverse("accounts:profile")), (title, None)]


def _send_contact_code(request, send, **kwargs) -> bool:
    try:
        with refusal_to(request) as refusal:
            send(**kwargs)
    except SmsError:
        logger.exception("contact code not sent")
        messages.error(request, _("The text message could not be sent. Try again in a few minutes."))
        return False
    return not refusal


@role_required(Role.WORKER)
def email_add(request):
    """Step 1: the address; a code goes to it."""
    form = EmailAddForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        with refusal_to(form, field="email"):
            email = contact.email_code_send(user=request.user, email=form.cleaned_data["email"])
            request.session[SESSION_EMAIL_KEY] = email
            messages.success(request, _("A six-digit code was sent to %(address)s.") % {"address": email})
            return redirect("accounts:email_code")
    return render(request, "accounts/contact_form.html", {
        "form": form, "title": _("E-mail address"), "crumbs": _contact_crumbs(_("E-mail address"))})


def _contact_code(request, *, key, start, confirm, done):
    address = request.session.get(key)
    if not address:
        return redirect(start)
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form, field="code"):
            confirm(address, form.cleaned_data["code"])
            request.session.pop(key, None)
            messages.success(request, done)
            return redirect("accounts:profile")
    return render(request, "accounts/contact_code.html", {
        "form": form, "address": address, "start": start, "crumbs": _contact_crumbs(_("Enter the code"))})


@role_required(Role.WORKER)
def email_code(request):
    """Step 2: the code from the e-mail; the address is then the account's."""
    return _contact_code(request, key=SESSION_EMAIL_KEY, start="accounts:email_add",
                         confirm=lambda address, code: contact.email_confirm(user=request.user, email=address,
                                                                             code=code),
                         done=_("Your e-mail address was saved."))


@role_required(Role.WORKER)
def mobile_change(request):
    """Step 1: the new number; a code goes to it by SMS."""
    worker = _own_worker(request)
    if worker is None:
        return redirect("home")
    form = MobileChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if _send_contact_code(request, contact.mobile_code_send, worker=worker, mobile=mobile):
            request.session[SESSION_MOBILE_KEY] = mobile
            messages.success(request, _("A six-digit code was sent to %(mobile)s.")
                             % {"mobile": f"{mobile[:3]}****{mobile[-4:]}"})
            return redirect("accounts:mobile_code")
    return render(request, "accounts/contact_form.html", {
        "form": form, "title": _("Change the mobile number"),
        "current": masked_mobile(worker), "crumbs": _contact_crumbs(_("Change the mobile number"))})


@role_required(Role.WORKER)
def mobile_code(request):
    """Step 2: the code sent to the new number; the record then has it."""
    worker = _own_worker(request)
    if worker is None:
        return redirect("home")
    return _contact_code(request, key=SESSION_MOBILE_KEY, start="accounts:mobile_change",
                         confirm=lambda address, code: contact.mobile_confirm(worker=worker, mobile=address, code=code),
                         done=_("Your mobile number was changed."))
