from django.urls import path

from . import views

app_name = "competitions"

urlpatterns = [
    path("", views.competition_list, name="competition_list"),
    path("<int:pk>/", views.competition_detail, name="competition_detail"),
    path("me/", views.my_entries, name="my_entries"),
    path("events/<int:pk>/enter/", views.enter_self, name="enter_self"),
    path("events/<int:pk>/enter-workers/", views.liaison_enter, name="liaison_enter"),
    path("entries/", views.liaison_entries, name="liaison_entries"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("judging/", views.judge_home, name="judge_home"),
    path("judging/events/<int:pk>/", views.judge_event, name="judge_event"),
    path("judging/entries/<int:pk>/", views.judge_sheet, name="judge_sheet"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/decide/", views.project_decide, name="project_decide"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/compare/", views.compare_years, name="compare_years"),
    path("manage/<int:pk>/", views.manage_competition, name="manage_competition"),
    path("manage/<int:pk>/compute/", views.results_run, name="results_run"),
    path("manage/<int:pk>/publish/", views.results_publish, name="results_publish"),
    path("manage/<int:pk>/withdraw/", views.results_withdraw, name="results_withdraw"),
    path("manage/results/<int:pk>/correct/", views.result_correct, name="result_correct"),
    path("manage/events/<int:pk>/", views.manage_event, name="manage_event"),
    path("manage/events/<int:pk>/record/", views.record_results, name="record_results"),
    path("manage/entries/<int:pk>/", views.entry_marks, name="entry_marks"),
    path("manage/marks/<int:pk>/correct/", views.mark_correct, name="mark_correct"),
]
