from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from zhangwan.admin_autocomplete import SafeAutocomplete
from zhangwan.sms import SmsError

from .models import User
from .otp import OtpError
from .reset import reset_send_by_admin


@admin.register(User)
class UserAdmin(SafeAutocomplete, BaseUserAdmin):
    list_display = ["username", "full_name", "organization", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "organization"]}),
        (_("Roles and permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    actions = ["send_password_reset"]

    @admin.action(description=_("Send a password reset"), permissions=["reset"])
    def send_password_reset(self, request, queryset):
        """The e-mailed link (e-mail on file) or a code by SMS (a worker's mobile); no password shown."""
        sent, without = 0, []
        for user in queryset:
            try:
                how = reset_send_by_admin(user=user, by=request.user, request=request)
            except (OtpError, SmsError) as error:
                self.message_user(request, f"{user}: {error}", messages.WARNING)
                continue
            if how is None:
                without.append(str(user))
            else:
                sent += 1
        if sent:
            self.message_user(request, ngettext(
                "A password reset was sent to %(count)d user: the link by e-mail, or a code by text message "
                "(the worker then enters their identity number and the code on the “Forgot your password?” page).",
                "A password reset was sent to %(count)d users: the link by e-mail, or a code by text message "
                "(the worker then enters their identity number and the code on the “Forgot your password?” page).",
                sent) % {"count": sent}, messages.SUCCESS)
        if without:
            self.message_user(request, gettext("No e-mail address or worker mobile on file, nothing sent: %(users)s")
                              % {"users": "、".join(without)}, messages.WARNING)

    def has_reset_permission(self, request):
        return request.user.is_superuser

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "organization", "password1", "password2"]}),
    ]


ACTION_LABELS = {"add": _("Can add %(model)s"), "change": _("Can change %(model)s"),
                 "delete": _("Can delete %(model)s"), "view": _("Can view %(model)s")}


def permission_label(permission) -> str:
    """A permission in the reader's language (the database keeps the English name it was made with):
    the app, the model and what it allows."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action = permission.codename.split("_", 1)[0]
    custom = dict(opts.permissions).get(permission.codename)
    if custom is not None:
        text = custom
    elif permission.codename == f"{action}_{opts.model_name}" and action in ACTION_LABELS:
        text = ACTION_LABELS[action] % {"model": opts.verbose_name}
    else:
        text = permission.name
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {text}"


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions":
            # Only the models the admin shows (not history tables or internal counters, which no role
            # is given), each in the reader's language.
            shown = self.admin_site._registry  # noqa: SLF001 - the site's models, read only
            types = ContentType.objects.get_for_models(*shown, for_concrete_models=False)
            field.queryset = field.queryset.filter(content_type__in=types.values())
            field.label_from_instance = permission_label
        return field
