from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:pk>/apply/", views.apply, name="apply"),
    path("sessions/<int:pk>/apply-workers/", views.apply_for_workers, name="apply_for_workers"),
    path("me/", views.my_certificates, name="my_certificates"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("certificates/<int:pk>/print/", views.certificate_print, name="certificate_print"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/<str:token>/", views.verify_signed, name="verify_signed"),
    path("manage/", views.manage_sessions, name="manage_sessions"),
    path("manage/eligibility/", views.eligibility_run, name="eligibility_run"),
    path("manage/competition-route/", views.competition_route, name="competition_route"),
    path("manage/sessions/<int:pk>/", views.manage_session, name="manage_session"),
    path("manage/sessions/<int:pk>/admit/", views.admit, name="admit"),
    path("manage/sessions/<int:pk>/close/", views.close_applications, name="close_applications"),
    path("manage/sessions/<int:pk>/issue/", views.issue, name="issue"),
    path("manage/sessions/<int:pk>/scores/import/", views.scores_import, name="scores_import"),
    path("manage/applications/<int:pk>/scores/", views.scores, name="scores"),
    path("manage/certificates/", views.certificate_list, name="certificate_list"),
    path("manage/certificates/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("manage/certificates/<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("manage/certificates/import/", views.certificates_import, name="certificates_import"),
]
