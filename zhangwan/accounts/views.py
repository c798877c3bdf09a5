from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhangwan.registry.forms import WorkerContactForm
from zhangwan.registry.models import Worker

from . import services
from .access import role_required
from .forms import ClaimForm, SetAccountForm
from .roles import Role

CLAIM_ATTEMPTS_PER_HOUR = 10
SESSION_CLAIM_KEY = "claim_worker_id"


def _claim_rate_key(request):
    return f"claim-attempts:{request.META.get('REMOTE_ADDR', '')}:{request.session.session_key or ''}"


def claim(request):
    """Step 1: a worker proves who they are with identity number, name and mobile."""
    if request.user.is_authenticated:
        return redirect("home")
    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        key = _claim_rate_key(request)
        attempts = cache.get(key, 0)
        if attempts >= CLAIM_ATTEMPTS_PER_HOUR:
            messages.error(request, _("Too many attempts. Try again in an hour, or ask your liaison."))
        elif form.is_valid():
            worker = services.worker_find_claimable(**form.cleaned_data)
            if worker is not None:
                request.session[SESSION_CLAIM_KEY] = worker.pk
                return redirect("accounts:claim_password")
            cache.set(key, attempts + 1, 3600)
            form.add_error(None, _("No unclaimed record matches these details. Check them, or ask your "
                                   "organization's liaison to add you to the roster."))
    return render(request, "accounts/claim.html", {"form": form})


def claim_password(request):
    """Step 2: the worker chooses a username and password and is logged in."""
    worker_id = request.session.get(SESSION_CLAIM_KEY)
    worker = Worker.objects.filter(pk=worker_id, user__isnull=True).first() if worker_id else None
    if worker is None:
        messages.info(request, _("Start by confirming who you are."))
        return redirect("accounts:claim")
    form = SetAccountForm(request.POST or None, initial={"username": worker.mobile})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.worker_claim(worker_id=worker.pk, username=form.cleaned_data["username"],
                                         password=form.cleaned_data["password1"])
        except services.ClaimError as error:
            messages.error(request, str(error))
            return redirect("accounts:login")
        except IntegrityError:
            form.add_error("username", _("This username is taken; choose another."))
        else:
            request.session.pop(SESSION_CLAIM_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.full_name})
            return redirect("accounts:profile")
    return render(request, "accounts/claim_password.html", {"form": form, "worker": worker})


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


@role_required()
def unread_badge(request):
    """The navigation bar's unread count, loaded by the page (htmx) so pages can be cached."""
    unread = request.user.notifications.unread().count()
    return render(request, "accounts/unread_badge.html", {"unread": unread})


@require_POST
@role_required()
def notifications_read(request):
    request.user.notifications.unread().update(read_at=timezone.now())
    return redirect("accounts:notifications")
