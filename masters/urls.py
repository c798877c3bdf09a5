from django.urls import path

from . import views

app_name = "masters"

urlpatterns = [
    path("", views.honour_roll, name="honour_roll"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/<int:pk>/object/", views.objection_new, name="objection_new"),
    path("nominations/", views.nomination_list, name="nomination_list"),
    path("nominations/new/", views.nomination_new, name="nomination_new"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("nominations/<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/reviewers/", views.assignment_add, name="assignment_add"),
    path("nominations/<int:pk>/shortlist/", views.shortlist_change, name="shortlist_change"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("assignments/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("review/", views.review_home, name="review_home"),
    path("review/<int:pk>/", views.review_sheet, name="review_sheet"),
    path("review/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    path("manage/", views.round_list, name="round_list"),
    path("manage/<int:pk>/", views.round_detail, name="round_detail"),
    path("manage/<int:pk>/eligibility/", views.round_eligibility, name="round_eligibility"),
    path("manage/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("manage/<int:pk>/conflicts/", views.round_conflicts, name="round_conflicts"),
    path("manage/<int:pk>/ranking/", views.round_ranking, name="round_ranking"),
    path("manage/<int:pk>/shortlist/", views.round_shortlist, name="round_shortlist"),
    path("manage/<int:pk>/publicity/", views.round_publicity, name="round_publicity"),
    path("manage/<int:pk>/confer/", views.round_confer, name="round_confer"),
    path("manage/objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("incentives/", views.incentives, name="incentives"),
    path("studios/", views.studios, name="studios"),
    path("talks/", views.talk_menu, name="talk_menu"),
    path("talks/<int:pk>/order/", views.talk_order, name="talk_order"),
    path("talks/orders/", views.talk_orders, name="talk_orders"),
    path("talks/orders/<int:pk>/", views.talk_manage, name="talk_manage"),
]
