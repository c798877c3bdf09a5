"""The admin site the union's staff work in (django.contrib.admin's default site, swapped in by
``AdminConfig.default_site``): its titles, no navigation sidebar, and an autocomplete that lets an
officer fill in the fields of the forms they may save.

Django builds the sidebar's list of every app and model, with four permission checks and two URL
reversals per model, on every admin page: about 40 % of the CPU of an admin change page here
(docs/performance.md). Officers reach the other models from the admin index and the breadcrumbs,
so the sidebar is off, and the list is built only on a page that shows it (the index, an app's index).

Django's autocomplete answers only users who may view the related model: the competitions officer,
who may not browse the users, could then not choose an event's judge. Here whoever may add or change
the model holding the field may also look up its choices, when the field narrows them
(``limit_choices_to``: a judge among the judges, a reviewer among the reviewers), so nothing outside
the field's own choices is shown."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_permission_codename
from django.utils.functional import SimpleLazyObject


class Autocomplete(AutocompleteJsonView):
    def has_perm(self, request, obj=None):
        if super().has_perm(request, obj):
            return True
        if not self.source_field.get_limit_choices_to():
            return False
        opts = self.source_field.model._meta
        return any(request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
                   for action in ("add", "change"))

    def serialize_result(self, obj, to_field_name):
        """The id and the text, and what the related admin adds (``autocomplete_extra``): a course
        brings its trade, level and hours to the class form."""
        result = super().serialize_result(obj, to_field_name)
        extra = getattr(self.model_admin, "autocomplete_extra", None)
        return {**result, **extra(obj)} if extra else result


class Site(admin.AdminSite):
    site_header = site_title = index_title = settings.ADMIN_SITE_HEADER
    enable_nav_sidebar = False

    def each_context(self, request):
        """Django's, with the app list built only when a template reads it."""
        script_name = request.META["SCRIPT_NAME"]
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": script_name if self.site_url == "/" and script_name else self.site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }

    def autocomplete_view(self, request):
        return Autocomplete.as_view(admin_site=self)(request)


class AdminConfig(DjangoAdminConfig):
    default_site = "zhangwan.admin_site.Site"
