from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.roster_list, name="roster"),
    path("export.xlsx", views.roster_export, name="roster_export"),
    path("import/", views.roster_import, name="roster_import"),
    path("import/template.xlsx", views.roster_template, name="roster_template"),
    path("<int:pk>/", views.worker_detail, name="worker_detail"),
]
