from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
