from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, Max, Q, Sum
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification.models import Certificate
from zhangwan.accounts.access import role_required
from zhangwan.accounts.roles import Role, has_role, is_district_staff
from zhangwan.accounts.scope import get_worker_or_404, own_worker_or_404, workers_for
from zhangwan.actions import refusal_to
from zhangwan.columns import wants_xlsx
from zhangwan.excel import PLAIN, XLSX_CONTENT_TYPE, xlsx_response
from zhangwan.forms import flash_errors
from zhangwan.history import history_with_changes
from zhangwan.jobs.exports import export_response
from zhangwan.pagination import paginate
from zhangwan.query import search_param
from zhangwan.registry.models import Worker

from . import applications, bank, exports, insured, rules, selectors, services, tables
from .filters import BankWaitingFilter, BatchFilter, ClaimFilter
from .forms import (
    ApplicationImportForm,
    BankDetailsForm,
    BankImportForm,
    BatchForm,
    BudgetForm,
    InsuredImportForm,
    PaymentForm,
    RecoveryForm,
    ReminderForm,
    ReopenForm,
    ReverseForm,
    ReviewForm,
    RunForm,
    SendBackForm,
    ShortageForm,
    StaffBankDetailsForm,
)
from .models import ZERO, Application, Batch, Claim, InsuredPeriod, Kind, Policy, Run, ShortageOccupation

OFFICER = (Role.TRAINING_OFFICER,)
FINANCE = (Role.FINANCE_OFFICER,)
READERS = (Role.TRAINING_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)
MAX_QUERY = 2000


def _home():
    return (_("Subsidies"), reverse("subsidies:policy_list"))


# Policies ------------------------------------------------------------------------------------

@role_required(*READERS)
def policy_list(request):
    policies = list(Policy.objects.annotate(rate_count=Count("rates")))
    totals = services.policy_totals(policies)
    money = selectors.policy_money(policies)
    for policy in policies:
        policy.totals = totals.get(policy.pk, {"pending": ZERO, "approved": ZERO, "claims": 0})
        policy.money = money[policy.pk]
    if wants_xlsx(request):
        return tables.POLICIES.response(request, policies)
    return render(request, "subsidies/policy_list.html", {
        "policies": policies, "crumbs": [(_("Subsidies"), None)],
        "can_edit": request.user.has_perm("subsidies.add_policy"),
    })


@role_required(*READERS)
def policy_detail(request, pk):
    policy = get_object_or_404(Policy, pk=pk)
    by_status = {row["status"]: row for row in policy.claims.filter(reverses__isnull=True).values("status")
                 .annotate(count=Count("pk"), amount=Sum("amount"))}
    money = selectors.policy_money([policy])[policy.pk]
    return render(request, "subsidies/policy_detail.html", {
        "policy": policy, "rates": policy.rates.select_related("trade"), "money": money,
        "remaining": policy.budget - money["committed"],
        "statuses": [(value, label, by_status.get(value, {})) for value, label in Claim.Status.choices],
        "batches": policy.batches.select_related("created_by", "approved_by", "payment")[:20],
        "budget_form": BudgetForm(policy=policy, initial={"budget": policy.budget})
        if has_role(request.user, *OFFICER) else None,
        "history": history_with_changes(policy.history.select_related("history_user")),
        "crumbs": [_home(), (policy.name, None)],
    })


@require_POST
@role_required(*OFFICER)
def policy_budget(request, pk):
    policy = get_object_or_404(Policy, pk=pk)
    form = BudgetForm(request.POST, policy=policy)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("subsidies:policy_detail", pk=pk)
    with refusal_to(request):
        policy = services.policy_budget_change(policy=policy, budget=form.cleaned_data["budget"], user=request.user)
        messages.success(request, _("The budget is now ¥%(budget)s.") % {"budget": f"{policy.budget:,.2f}"})
    return redirect("subsidies:policy_detail", pk=pk)


# The shortage list ---------------------------------------------------------------------------

@role_required(*READERS)
def shortage_list(request):
    entries = ShortageOccupation.objects.select_related("trade")
    if wants_xlsx(request):
        return tables.SHORTAGE.response(request, entries)
    page, query = paginate(request, entries, 50)
    return render(request, "subsidies/shortage_list.html", {
        "page": page, "query": query, "can_edit": has_role(request.user, *OFFICER),
        "crumbs": [_home(), (_("Shortage list"), None)],
    })


@role_required(*OFFICER)
def shortage_edit(request, pk=None):
    entry = get_object_or_404(ShortageOccupation, pk=pk) if pk else ShortageOccupation()
    form = ShortageForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        with refusal_to(form):
            services.shortage_save(form.instance, user=request.user)
            messages.success(request, _("The shortage list is saved."))
            return redirect("subsidies:shortage_list")
    title = _("Change a shortage list entry") if pk else _("Add to the shortage list")
    return render(request, "subsidies/shortage_form.html", {
        "form": form, "entry": entry, "title": title,
        "history": history_with_changes(entry.history.select_related("history_user")) if pk else [],
        "crumbs": [_home(), (_("Shortage list"), reverse("subsidies:shortage_list")), (title, None)],
    })


# Insured periods -----------------------------------------------------------------------------

@role_required(*OFFICER)
def insured_import(request):
    form = InsuredImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = insured.import_periods(upload=form.cleaned_data["file"], user=request.user)
        except IntegrityError:
            messages.error(request, _("Another import changed the same workers at the same time; import again."))
            return redirect("subsidies:insured_import")
        if result.ok:
            messages.success(request, _("Imported %(periods)d insured periods of %(workers)d workers.")
                             % {"periods": result.periods, "workers": result.workers})
            return redirect("subsidies:insured_import")
    return render(request, "subsidies/insured_import.html", {
        "form": form, "result": result,
        "errors": result.errors[:insured.MAX_LISTED_ERRORS] if result else [],
        "more_errors": max(0, len(result.errors) - insured.MAX_LISTED_ERRORS) if result else 0,
        "periods": InsuredPeriod.objects.count(),
        "crumbs": [_home(), (_("Insured periods"), None)],
    })


# Claim computations --------------------------------------------------------------------------

@role_required(Role.TRAINING_OFFICER, Role.AUDITOR)
def run_list(request):
    form = RunForm(request.POST or None) if has_role(request.user, *OFFICER) else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            with refusal_to(form):
                run = services.run_start(**form.cleaned_data, user=request.user)
                messages.success(request, _("The computation has started."))
                return redirect("subsidies:run_detail", pk=run.pk)
    runs = Run.objects.select_related("started_by")
    if wants_xlsx(request):
        return tables.RUNS.response(request, runs)
    page, query = paginate(request, runs, 20)
    return render(request, "subsidies/run_list.html", {
        "form": form, "page": page, "query": query, "crumbs": [_home(), (_("Claim computations"), None)],
    })


@role_required(Role.TRAINING_OFFICER, Role.AUDITOR)
def run_detail(request, pk):
    run = get_object_or_404(Run.objects.select_related("started_by"), pk=pk)
    template = "subsidies/_run_progress.html" if request.htmx else "subsidies/run_detail.html"
    counts = {}
    if run.status == Run.Status.DONE:
        counts = {row["status"]: row for row in run.claims.values("status")
                  .annotate(count=Count("pk"), amount=Sum("amount"))}
    return render(request, template, {
        "run": run, "counts": [(value, label, counts.get(value, {})) for value, label in Claim.Status.choices],
        "crumbs": [_home(), (_("Claim computations"), reverse("subsidies:run_list")), (str(run), None)],
    })


# Claims --------------------------------------------------------------------------------------

@role_required(*READERS)
def claim_list(request):
    if wants_xlsx(request):
        return export_response(request, exports.CLAIMS)
    filterset = ClaimFilter(request.GET, queryset=exports.claims_for(request.user), user=request.user)
    page, query = paginate(request, filterset.qs)
    for claim in page:
        claim.words = rules.explain(claim)
    summary = filterset.qs.order_by().aggregate(count=Count("pk"), amount=Sum("amount", default=ZERO),
                                                pending=Count("pk", filter=Q(status=Claim.Status.PENDING)))
    return render(request, "subsidies/claim_list.html", {
        "filter": filterset, "page": page, "query": query, "summary": summary,
        "can_review": has_role(request.user, *OFFICER), "review": ReviewForm(),
        "crumbs": [_home(), (_("Claims"), None)],
    })


@require_POST
@role_required(*OFFICER)
def claim_review(request):
    form = ReviewForm(request.POST)
    query = request.POST.get("query", "")
    unusable = _("This filter cannot be used to approve or refuse claims. Filter the list again and retry.")
    if len(query) > MAX_QUERY:  # not a filter this site made; never read as "no filter, every claim"
        messages.error(request, unusable)
        return redirect("subsidies:claim_list")
    back = reverse("subsidies:claim_list") + (f"?{query}" if query else "")
    if not form.is_valid():
        flash_errors(request, form)
        return redirect(back)
    claims = Claim.objects.all()
    if form.cleaned_data["scope"] == "filtered":
        filterset = ClaimFilter(QueryDict(query), queryset=claims, user=request.user)
        if not filterset.is_valid():  # a field it would drop would widen the set
            messages.error(request, unusable)
            return redirect(back)
        claims = filterset.qs
    else:
        claims = claims.filter(pk__in=form.cleaned_data["claims"])
    with refusal_to(request):
        if form.cleaned_data["action"] == "approve":
            done = services.claims_approve(claims=claims, user=request.user)
            message = _("%(count)d claims approved.")
        else:
            done = services.claims_refuse(claims=claims, user=request.user, reason=form.cleaned_data["reason"])
            message = _("%(count)d claims refused.")
        if done:
            messages.success(request, message % {"count": done})
        else:
            messages.warning(request, _("None of these claims was awaiting review: approved or refused claims "
                                        "are not changed (a correction is a reversal)."))
    return redirect(back)


@role_required(*READERS, Role.LIAISON, Role.WORKER)
def claim_detail(request, pk):
    claim = get_object_or_404(exports.claims_for(request.user).select_related("reverses", "reviewed_by"), pk=pk)
    staff = is_district_staff(request.user)
    reversal = Claim.objects.filter(reverses=claim).first()
    back = (reverse("subsidies:claim_list") if staff else
            reverse("subsidies:organization") if has_role(request.user, Role.LIAISON) else reverse("subsidies:mine"))
    return render(request, "subsidies/claim_detail.html", {
        "claim": claim, "reasons": rules.explain(claim), "reversal": reversal,
        "id_number": exports.id_number_for(claim.worker, request.user),
        "history": history_with_changes(claim.history.select_related("history_user")) if staff else [],
        "reverse_form": ReverseForm() if has_role(request.user, *OFFICER) and claim.status == Claim.Status.APPROVED
        and not claim.reverses_id and reversal is None else None,
        "to_recover": Claim.objects.to_recover().filter(pk=claim.pk).exists() if claim.reverses_id else False,
        "can_reopen": has_role(request.user, *OFFICER) and (claim.is_approved or claim.is_turned_down)
        and not claim.is_ineligible and not claim.reverses_id,
        "reopen_refusal": services.reopen_refusal(claim) if has_role(request.user, *OFFICER) else "",
        "recovery_form": RecoveryForm() if has_role(request.user, *FINANCE) and claim.reverses_id
        and Claim.objects.recoverable().filter(pk=claim.pk).exists() else None,
        "crumbs": [(_("Subsidies") if staff else _("My subsidies"), back),
                   (_("Claim #%(number)d") % {"number": claim.pk}, None)],
    })


@require_POST
@role_required(*OFFICER)
def claim_reverse(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reversal."))
        return redirect("subsidies:claim_detail", pk=claim.pk)
    with refusal_to(request):
        reversal = services.claim_reverse(claim=claim, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Claim #%(number)d is reversed by claim #%(reversal)d.")
                         % {"number": claim.pk, "reversal": reversal.pk})
        return redirect("subsidies:claim_detail", pk=reversal.pk)
    return redirect("subsidies:claim_detail", pk=claim.pk)


@require_POST
@role_required(*OFFICER)
def claim_reopen(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening the claim."))
        return redirect("subsidies:claim_detail", pk=claim.pk)
    with refusal_to(request):
        services.claim_reopen(claim=claim, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Claim #%(number)d awaits review again.") % {"number": claim.pk})
    return redirect("subsidies:claim_detail", pk=claim.pk)


@require_POST
@role_required(*FINANCE)
def claim_recovered(request, pk):
    claim = get_object_or_404(Claim, pk=pk)
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("subsidies:claim_detail", pk=pk)
    with refusal_to(request):
        services.recovery_mark(claim=claim, user=request.user, **form.cleaned_data)
        messages.success(request, _("Reversal #%(number)d is marked as recovered.") % {"number": claim.pk})
    return redirect("subsidies:claim_detail", pk=pk)


@role_required(*READERS)
def recovery_list(request):
    """Reversals of paid claims whose money has not come back: the finance officer's to-do."""
    claims = (Claim.objects.to_recover().select_related("policy", "worker__employer", "reverses__batch", "batch")
              .order_by("policy__valid_from", "pk"))
    page, query = paginate(request, claims, 50)
    return render(request, "subsidies/recovery_list.html", {
        "page": page, "query": query, "total": -(claims.aggregate(total=Sum("amount"))["total"] or ZERO),
        "finance": has_role(request.user, *FINANCE),
        "crumbs": [_home(), (_("Recoveries"), None)],
    })


# Disbursement batches ------------------------------------------------------------------------

@role_required(*READERS)
def batch_list(request):
    form = BatchForm(request.POST or None) if has_role(request.user, *FINANCE) else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            with refusal_to(form):
                batch = services.batch_create(**form.cleaned_data, user=request.user)
                messages.success(request, _("Batch %(number)s made with %(count)d claims, ¥%(total)s.")
                                 % {"number": batch.number, "count": batch.claim_count,
                                    "total": f"{batch.amount:,.2f}"})
                return redirect("subsidies:batch_detail", pk=batch.pk)
    filterset = BatchFilter(request.GET, queryset=Batch.objects.select_related(
        "policy", "organization", "created_by", "approved_by", "payment"))
    if wants_xlsx(request):
        return tables.BATCHES.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs, 30)
    waiting = (Claim.objects.payable().values("policy__name").annotate(count=Count("pk"), amount=Sum("amount"),
               no_account=Count("pk", filter=Q(worker__bank_account=""))).order_by("policy__name"))
    recoverable = (Claim.objects.recoverable().values("policy__name")
                   .annotate(count=Count("pk"), amount=-Sum("amount")).order_by("policy__name"))
    return render(request, "subsidies/batch_list.html", {
        "form": form, "filter": filterset, "page": page, "query": query, "waiting": waiting,
        "recoverable": recoverable,
        "crumbs": [_home(), (_("Disbursement batches"), None)],
    })


@role_required(*READERS)
def batch_detail(request, pk):
    batch = get_object_or_404(Batch.objects.select_related("policy", "organization", "created_by", "approved_by"),
                              pk=pk)
    claims = batch.claims.select_related(*exports.CLAIM_LIST).order_by("payee_name", "pk")
    if wants_xlsx(request):
        return tables.CLAIMS.response(request, claims, filename=f"batch-{batch.number}-claims.xlsx")
    page, query = paginate(request, claims)
    finance = has_role(request.user, *FINANCE)
    return render(request, "subsidies/batch_detail.html", {
        "batch": batch, "page": page, "query": query, "finance": finance,
        "payment": getattr(batch, "payment", None),
        "can_approve": finance and batch.status == Batch.Status.DRAFT and batch.created_by_id != request.user.pk,
        "payment_form": PaymentForm() if finance and batch.status == Batch.Status.APPROVED else None,
        "send_back_form": SendBackForm() if finance and batch.status != Batch.Status.PAID
        and batch.created_by_id != request.user.pk else None,
        "history": history_with_changes(batch.history.select_related("history_user")),
        "crumbs": [_home(), (_("Disbursement batches"), reverse("subsidies:batch_list")), (batch.number, None)],
    })


@require_POST
@role_required(*FINANCE)
def batch_approve(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    with refusal_to(request):
        services.batch_approve(batch=batch, user=request.user)
        messages.success(request, _("Batch %(number)s is approved.") % {"number": batch.number})
    return redirect("subsidies:batch_detail", pk=batch.pk)


@require_POST
@role_required(*FINANCE)
def batch_send_back(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("subsidies:batch_detail", pk=pk)
    with refusal_to(request):
        services.batch_send_back(batch=batch, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Batch %(number)s is sent back to its maker.") % {"number": batch.number})
    return redirect("subsidies:batch_detail", pk=pk)


@require_POST
@role_required(*FINANCE)
def batch_delete(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    with refusal_to(request):
        services.batch_delete(batch=batch, user=request.user)
        messages.success(request, _("The draft batch is deleted; its claims wait for the next batch."))
        return redirect("subsidies:batch_list")
    return redirect("subsidies:batch_detail", pk=pk)


@require_POST
@role_required(*FINANCE)
def batch_pay(request, pk):
    form = PaymentForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("subsidies:batch_detail", pk=pk)
    batch = get_object_or_404(Batch, pk=pk)
    with refusal_to(request):
        services.payment_record(batch=batch, user=request.user, **form.cleaned_data)
        messages.success(request, _("The payment of batch %(number)s is recorded.") % {"number": batch.number})
    return redirect("subsidies:batch_detail", pk=pk)


@role_required(*FINANCE)
def batch_bank_file(request, pk):
    """The transfer list for the bank: payee, identity number, bank account, amount."""
    batch = get_object_or_404(Batch.objects.select_related("policy"), pk=pk)
    if batch.status == Batch.Status.DRAFT:
        messages.error(request, _("The bank file is made once the batch is approved."))
        return redirect("subsidies:batch_detail", pk=pk)
    # A recovery batch lists the amounts to take back, as positive amounts, with the reversed claim.
    recovery = batch.is_recovery
    headers = [_("No."), _("Payee"), _("Identity number"), _("Bank"), _("Bank account number"),
               _("Amount to recover") if recovery else _("Amount"), _("Purpose"), _("Claim")]
    claims = batch.claims.select_related("worker").order_by("payee_name", "pk")
    # The payee frozen when the claim entered the batch, never the worker's current details.
    rows = ([n, c.payee_name, c.worker.id_number, c.payee_bank_name, c.payee_bank_account, abs(c.amount),
             _("Recovery of claim #%(number)d") % {"number": c.reverses_id} if recovery else batch.policy.name, c.pk]
            for n, c in enumerate(claims.iterator(chunk_size=2000), start=1))
    total = [("", _("Total"), "", "", "", batch.amount, "", batch.claim_count)]
    return xlsx_response(f"bank-{batch.number}.xlsx",
                         [(batch.number, headers, (*rows, *total), [6, 12, 22, 26, 24, 14, 36, 10],
                           [PLAIN, None, None, None, None, None, None, PLAIN])], made_by=request.user)


# Workers and liaisons ------------------------------------------------------------------------

@role_required(Role.WORKER)
def mine(request):
    worker = own_worker_or_404(request.user)
    claims = list(exports.claims_for(request.user).filter(worker=worker).select_related("batch__payment")
                  .order_by("-claimed_on", "-pk"))
    for claim in claims:
        claim.words = rules.explain(claim)
    received = sum((c.amount for c in claims if c.batch_id and c.batch.status == Batch.Status.PAID), ZERO)
    return render(request, "subsidies/mine.html", {
        "worker": worker, "claims": claims, "received": received, "crumbs": [(_("My subsidies"), None)],
    })


@role_required(Role.WORKER)
def bank_details(request):
    """The worker's own bank account for subsidies; changing it needs the password again."""
    worker = own_worker_or_404(request.user)
    form = BankDetailsForm(request.POST or None, instance=Worker.objects.get(pk=worker.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = services.bank_details_change(worker=worker, user=request.user,
                                               bank_name=form.cleaned_data["bank_name"],
                                               bank_account=form.cleaned_data["bank_account"])
        messages.success(request, _("Your bank account was changed; you will get a notice of it.") if changed
                         else _("Nothing was changed."))
        return redirect("subsidies:mine")
    return render(request, "subsidies/bank_details.html", {
        "form": form, "worker": worker,
        "crumbs": [(_("My subsidies"), reverse("subsidies:mine")), (_("Bank account for subsidies"), None)],
    })


@role_required(Role.LIAISON)
def organization(request):
    if wants_xlsx(request):
        return export_response(request, exports.CLAIMS)
    filterset = ClaimFilter(request.GET, queryset=exports.claims_for(request.user), user=request.user,
                            organization_choices=False)
    page, query = paginate(request, filterset.qs)
    for claim in page:
        claim.words = rules.explain(claim)
    return render(request, "subsidies/organization.html", {
        "filter": filterset, "page": page, "query": query, "kinds": Kind,
        "crumbs": [(_("Our subsidies"), None)],
    })


# Bank details for workers who never log in ----------------------------------------------------

BANK_KEEPERS = (Role.TRAINING_OFFICER, Role.FINANCE_OFFICER)  # enter one worker's details, send reminders


def _waiting_for(user):
    return exports.claims_for(user).waiting_for_bank_details().annotate(last_reminded=Max("bank_reminders__sent_on"))


@role_required(*READERS, Role.LIAISON)
def bank_waiting(request):
    """Approved claims that no batch can take until the worker's bank details are on record."""
    staff = is_district_staff(request.user)
    filterset = BankWaitingFilter(request.GET, queryset=_waiting_for(request.user).order_by("worker__name", "pk"),
                                  user=request.user, organization_choices=staff)
    if wants_xlsx(request):
        return tables.BANK_WAITING.response(request, filterset.qs)
    page, query = paginate(request, filterset.qs)
    summary = filterset.qs.order_by().aggregate(count=Count("pk"), amount=Sum("amount", default=ZERO),
                                                workers=Count("worker", distinct=True))
    return render(request, "subsidies/bank_waiting.html", {
        "filter": filterset, "page": page, "query": query, "summary": summary,
        "can_remind": has_role(request.user, *BANK_KEEPERS), "can_enter": has_role(request.user, *BANK_KEEPERS),
        "can_import": has_role(request.user, Role.LIAISON), "today": timezone.localdate(),
        "crumbs": [_home() if staff else (_("Our subsidies"), reverse("subsidies:organization")),
                   (_("Waiting for bank details"), None)],
    })


@require_POST
@role_required(*BANK_KEEPERS)
def bank_remind(request):
    form = ReminderForm(request.POST, claims=Claim.objects.waiting_for_bank_details())
    query = request.POST.get("query", "")
    query = QueryDict(query).urlencode() if len(query) <= MAX_QUERY else ""  # re-encoded: only a filter goes back
    back = reverse("subsidies:bank_waiting") + (f"?{query}" if query else "")
    if not form.is_valid():
        messages.error(request, _("Tick the claims whose workers should be reminded."))
        return redirect(back)
    picked = Claim.objects.filter(pk__in=[c.pk for c in form.cleaned_data["claims"]])
    sent = services.bank_reminders_send(claims=picked, user=request.user)
    if sent:
        messages.success(request, _("Reminders sent for %(count)d claims.") % {"count": sent})
    else:
        messages.warning(request, _("These claims were reminded of today already: one reminder a claim a day."))
    return redirect(back)


@role_required(*BANK_KEEPERS)
def worker_bank_details(request, pk):
    """An officer enters the bank account of a worker who never logs in."""
    worker = get_worker_or_404(request.user, pk=pk)
    form = StaffBankDetailsForm(request.POST or None, instance=Worker.objects.get(pk=worker.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal_to(request):
            changed = services.bank_details_change(worker=worker, user=request.user,
                                                   bank_name=form.cleaned_data["bank_name"],
                                                   bank_account=form.cleaned_data["bank_account"],
                                                   reason="worker.bank_details_by_staff")
            messages.success(request, _("The bank account of %(name)s is recorded; their approved claims can now "
                                        "be paid.") % {"name": worker.name} if changed else _("Nothing was changed."))
            return redirect("subsidies:bank_waiting")
    return render(request, "subsidies/worker_bank_details.html", {
        "form": form, "worker": worker,
        "waiting": Claim.objects.waiting_for_bank_details().filter(worker=worker).select_related("policy"),
        "crumbs": [_home(), (_("Waiting for bank details"), reverse("subsidies:bank_waiting")), (worker.name, None)],
    })


@role_required(Role.LIAISON)
def bank_import(request):
    roster = workers_for(request.user)
    form = BankImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = bank.import_bank_details(upload=form.cleaned_data["file"], roster=roster, user=request.user)
        if result.ok:
            messages.success(request, _("Bank details imported: %(changed)d changed, %(unchanged)d as before.")
                             % {"changed": result.changed, "unchanged": result.unchanged})
            return redirect("subsidies:bank_import")
    recent = roster.exclude(bank_account="").order_by("-updated_at", "pk")[:20]
    return render(request, "subsidies/bank_import.html", {
        "form": form, "result": result, "recent": recent,
        "errors": result.errors[:bank.MAX_LISTED_ERRORS] if result else [],
        "more_errors": max(0, len(result.errors) - bank.MAX_LISTED_ERRORS) if result else 0,
        "waiting": Claim.objects.waiting_for_bank_details().filter(worker__in=roster).count(),
        "crumbs": [(_("Our subsidies"), reverse("subsidies:organization")), (_("Import bank details"), None)],
    })


@role_required(Role.LIAISON)
def bank_template(request):
    response = HttpResponse(bank.template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="bank-details-template.xlsx"'
    return response


# Applications ---------------------------------------------------------------------------------

def _certificates_to_apply(certificates):
    """Valid certificates with what stands in the way of applying, shown beside a disabled button."""
    rows = list(certificates.filter(status=Certificate.Status.VALID).select_related("trade", "holder",
                                                                                 "subsidy_application")
                .annotate(claimed=Count("subsidy_claims", filter=Q(subsidy_claims__enrollment__isnull=True)))
                .order_by("-issued_on", "-pk"))
    for cert in rows:
        application = getattr(cert, "subsidy_application", None)
        cert.blocked = (_("Applied on %(day)s.") % {"day": application.applied_on} if application
                        else _("A claim has already been made for it.") if cert.claimed else "")
    return rows


@role_required(Role.WORKER)
def apply(request):
    """The worker's own certificates, each with an Apply button (phone-sized cards)."""
    worker = own_worker_or_404(request.user)
    if request.method == "POST":
        cert = get_object_or_404(Certificate, pk=_pk(request.POST.get("certificate")), holder=worker)
        with refusal_to(request):
            services.applications_create(certificates=Certificate.objects.filter(pk=cert.pk), user=request.user,
                                         channel=Application.Channel.WORKER)
            messages.success(request, _("Applied. The claim window is measured to today."))
        return redirect("subsidies:apply")
    return render(request, "subsidies/apply.html", {
        "certificates": _certificates_to_apply(Certificate.objects.filter(holder=worker)),
        "crumbs": [(_("My subsidies"), reverse("subsidies:mine")), (_("Apply"), None)],
    })


def _pk(value):
    return int(value) if str(value or "").isdigit() and len(str(value)) < 12 else 0


def _apply_ticked(request, certificates, *, channel, here, title, crumbs):
    """Tick certificates, apply: the liaison for the organization's workers, staff for anyone's."""
    if request.method == "POST":
        picked = [_pk(v) for v in request.POST.getlist("certificates")][:MAX_QUERY]
        with refusal_to(request):
            made = services.applications_create(certificates=certificates.filter(pk__in=picked), user=request.user,
                                                channel=channel)
            messages.success(request, _("Applied for %(count)d certificates.") % {"count": len(made)})
        return redirect(here)
    number = search_param(request, "number")[:40]
    if number:
        certificates = certificates.filter(number__icontains=number)
    page, query = paginate(request, _certificates_to_apply(certificates), 50)
    return render(request, "subsidies/organization_apply.html", {
        "page": page, "query": query, "title": title, "number": number, "crumbs": crumbs,
    })


@role_required(Role.LIAISON)
def organization_apply(request):
    """The liaison applies for the organization's workers: tick certificates, apply."""
    certificates = Certificate.objects.filter(holder__employer_id=request.user.organization_id,
                                              holder__employer__isnull=False)
    return _apply_ticked(request, certificates, channel=Application.Channel.LIAISON,
                         here="subsidies:organization_apply", title=_("Apply for our workers"),
                         crumbs=[(_("Our subsidies"), reverse("subsidies:organization")), (_("Apply"), None)])


@role_required(*OFFICER)
def application_select(request):
    """Staff apply for a selection of certificates (found by number), for any organization."""
    return _apply_ticked(request, Certificate.objects.all(), channel=Application.Channel.STAFF,
                         here="subsidies:application_select", title=_("Apply for selected certificates"),
                         crumbs=[_home(), (_("Applications"), reverse("subsidies:application_list")),
                                 (_("Apply"), None)])


@role_required(Role.TRAINING_OFFICER, Role.AUDITOR)
def application_list(request):
    """Applications, and staff applying for a list of certificates from Excel."""
    officer = has_role(request.user, *OFFICER)
    form = ApplicationImportForm(request.POST or None, request.FILES or None) if officer else None
    errors = []
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            numbers, errors = applications.read_numbers(form.cleaned_data["file"])
            if not errors:
                with refusal_to(request):
                    made = services.applications_create(certificates=Certificate.objects.filter(number__in=numbers),
                                                        user=request.user, channel=Application.Channel.STAFF)
                    messages.success(request, _("Applied for %(count)d certificates.") % {"count": len(made)})
                return redirect("subsidies:application_list")
    rows = Application.objects.select_related("certificate__trade", "worker", "applied_by")
    if wants_xlsx(request):
        return tables.APPLICATIONS.response(request, rows)
    page, query = paginate(request, rows, 50)
    return render(request, "subsidies/application_list.html", {
        "form": form, "errors": errors, "page": page, "query": query,
        "crumbs": [_home(), (_("Applications"), None)],
    })
