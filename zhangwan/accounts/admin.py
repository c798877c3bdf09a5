from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
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
