from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/budget/", views.policy_budget, name="policy_budget"),
    path("shortage/", views.shortage_list, name="shortage_list"),
    path("shortage/new/", views.shortage_edit, name="shortage_create"),
    path("shortage/<int:pk>/", views.shortage_edit, name="shortage_edit"),
    path("insured/import/", views.insured_import, name="insured_import"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/review/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/reverse/", views.claim_reverse, name="claim_reverse"),
    path("claims/<int:pk>/reopen/", views.claim_reopen, name="claim_reopen"),
    path("claims/<int:pk>/recovered/", views.claim_recovered, name="claim_recovered"),
    path("recoveries/", views.recovery_list, name="recovery_list"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/pay/", views.batch_pay, name="batch_pay"),
    path("batches/<int:pk>/delete/", views.batch_delete, name="batch_delete"),
    path("batches/<int:pk>/send-back/", views.batch_send_back, name="batch_send_back"),
    path("batches/<int:pk>/bank.xlsx", views.batch_bank_file, name="batch_bank_file"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/select/", views.application_select, name="application_select"),
    path("me/apply/", views.apply, name="apply"),
    path("organization/apply/", views.organization_apply, name="organization_apply"),
    path("me/", views.mine, name="mine"),
    path("me/bank-account/", views.bank_details, name="bank_details"),
    path("organization/", views.organization, name="organization"),
    path("bank-details/waiting/", views.bank_waiting, name="bank_waiting"),
    path("bank-details/remind/", views.bank_remind, name="bank_remind"),
    path("bank-details/import/", views.bank_import, name="bank_import"),
    path("bank-details/template.xlsx", views.bank_template, name="bank_template"),
    path("workers/<int:pk>/bank-account/", views.worker_bank_details, name="worker_bank_details"),
]
