from django.urls import path

from . import dashboard, profile, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/summary.docx", views.report_document, name="report_document"),
    path("<int:pk>/summary.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/delete/", views.report_delete, name="report_delete"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("workers/<int:pk>/", profile.talent_profile, name="talent_profile"),
    path("me/", profile.my_profile, name="my_profile"),
]
