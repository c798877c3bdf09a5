from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("classes/", views.catalogue, name="catalogue"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/register/", views.register_self, name="register_self"),
    path("classes/<int:pk>/enrol/", views.liaison_register, name="liaison_register"),
    path("me/", views.my_classes, name="my_classes"),
    path("enrollments/", views.liaison_enrollments, name="liaison_enrollments"),
    path("enrollments/<int:pk>/cancel/", views.enrollment_cancel, name="enrollment_cancel"),
    path("workers/<int:pk>/", views.worker_training, name="worker_training"),
    path("manage/classes/", views.class_list, name="class_list"),
    path("manage/classes/<int:pk>/", views.class_manage, name="class_manage"),
    path("manage/classes/<int:pk>/status/", views.class_transition, name="class_transition"),
    path("manage/classes/<int:pk>/capacity/", views.class_capacity, name="class_capacity"),
    path("manage/classes/<int:pk>/export.xlsx", views.class_export, name="class_export"),
    path("manage/classes/<int:pk>/attendance/import/", views.attendance_import, name="attendance_import"),
    path("manage/sessions/<int:pk>/", views.attendance_sheet, name="attendance_sheet"),
    path("manage/sessions/<int:pk>/mark/<int:enrollment_pk>/", views.attendance_mark, name="attendance_mark"),
    path("manage/sessions/<int:pk>/all-present/", views.attendance_all_present, name="attendance_all_present"),
    path("manage/sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
    path("provided/", views.provider_classes, name="provider_classes"),
    path("manage/enrollments/<int:pk>/exam/", views.exam_mark, name="exam_mark"),
    path("manage/classes/<int:pk>/exams/", views.exam_results, name="exam_results"),
    path("manage/enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"),
    path("manage/classes/<int:pk>/enrol/", views.staff_register, name="staff_register"),
    path("manage/enrollments/<int:pk>/move/", views.enrollment_move, name="enrollment_move"),
    path("manage/needs/", views.survey_list, name="survey_list"),
    path("manage/needs/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("manage/needs/<int:pk>/plan/", views.plan_from_needs, name="plan_from_needs"),
    path("needs/", views.needs_surveys, name="needs_surveys"),
    path("needs/<int:pk>/", views.needs_answer, name="needs_answer"),
    path("needs/answers/<int:pk>/", views.needs_answer_change, name="needs_answer_change"),
    path("needs/answers/<int:pk>/withdraw/", views.needs_answer_withdraw, name="needs_answer_withdraw"),
    path("manage/plans/<int:year>/", views.plan_detail, name="plan_detail"),
]
