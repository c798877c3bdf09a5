from django.urls import path

from .views import incentives, nominations, publicity, ranking, review, rounds

app_name = "masters"

urlpatterns = [
    path("", publicity.honour_roll, name="honour_roll"),
    path("publicity/", publicity.publicity, name="publicity"),
    path("publicity/<int:pk>/object/", publicity.objection_new, name="objection_new"),
    path("nominations/", nominations.nomination_list, name="nomination_list"),
    path("nominations/new/", nominations.nomination_new, name="nomination_new"),
    path("nominations/<int:pk>/", nominations.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", nominations.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/attachments/", nominations.attachment_upload, name="attachment_upload"),
    path("nominations/<int:pk>/submit/", nominations.nomination_submit, name="nomination_submit"),
    path("nominations/<int:pk>/withdraw/", nominations.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/reviewers/", review.assignment_add, name="assignment_add"),
    path("nominations/<int:pk>/shortlist/", ranking.shortlist_change, name="shortlist_change"),
    path("attachments/<int:pk>/", nominations.attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/delete/", nominations.attachment_delete, name="attachment_delete"),
    path("assignments/<int:pk>/remove/", review.assignment_remove, name="assignment_remove"),
    path("review/", review.review_home, name="review_home"),
    path("review/<int:pk>/", review.review_sheet, name="review_sheet"),
    path("review/<int:pk>/conflict/", review.review_conflict, name="review_conflict"),
    path("manage/", rounds.round_list, name="round_list"),
    path("manage/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("manage/<int:pk>/eligibility/", ranking.round_eligibility, name="round_eligibility"),
    path("manage/<int:pk>/assign/", review.round_assign, name="round_assign"),
    path("manage/<int:pk>/conflicts/", review.round_conflicts, name="round_conflicts"),
    path("manage/<int:pk>/ranking/", ranking.round_ranking, name="round_ranking"),
    path("manage/<int:pk>/shortlist/", ranking.round_shortlist, name="round_shortlist"),
    path("manage/<int:pk>/tie/", ranking.tie_decide, name="tie_decide"),
    path("manage/<int:pk>/publicity/", publicity.round_publicity, name="round_publicity"),
    path("manage/<int:pk>/confer/", publicity.round_confer, name="round_confer"),
    path("manage/objections/<int:pk>/resolve/", publicity.objection_resolve, name="objection_resolve"),
    path("incentives/", incentives.incentives, name="incentives"),
    path("studios/", incentives.studios, name="studios"),
    path("talks/", incentives.talk_menu, name="talk_menu"),
    path("talks/<int:pk>/order/", incentives.talk_order, name="talk_order"),
    path("talks/orders/", incentives.talk_orders, name="talk_orders"),
    path("talks/orders/<int:pk>/", incentives.talk_manage, name="talk_manage"),
]
