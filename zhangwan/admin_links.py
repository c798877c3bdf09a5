"""The way from the admin to a record's page in the app: a ModelAdmin with ``app_page`` (the URL
name of the page, taking the record's id) shows "在平台中查看" on the change form. The way back is
the ``admin_edit_link`` tag (zhangwan/accounts/templatetags/admin_links.py)."""

from django.urls import reverse


class AppPageLink:
    app_page = ""

    def view_on_site(self, obj):
        return reverse(self.app_page, args=[obj.pk])
