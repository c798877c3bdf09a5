from django.contrib import admin

from zhangwan.admin_readonly import ReadOnly

from .models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["year", "status", "rows", "size", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "year"]
    search_fields = ["requested_by__full_name", "requested_by__username"]
    list_select_related = ["requested_by"]
    fields = ["year", "language", "requested_by", "created_at"]  # the form's order before FileJob came first
