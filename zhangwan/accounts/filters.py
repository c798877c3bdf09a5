import django_filters
from django.utils.translation import gettext_lazy as _

from zhangwan.filters import ListFilter, search, yes_no
from zhangwan.registry.models import Organization

from .models import User
from .roles import Role


class AccountFilter(ListFilter):
    q = search(_("Name, username or e-mail"))
    role = django_filters.ChoiceFilter(label=_("Role"), field_name="groups__name", choices=[])
    organization = django_filters.ModelChoiceFilter(label=_("Organization"), queryset=Organization.objects.none())
    is_active = yes_no(_("Active"))
    search_fields = ("full_name", "username", "email", "organization__name")

    class Meta:
        model = User
        fields = []

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["role"].extra["choices"] = [(role, Role(role).label) for role in roles]
        if len(roles) <= 1:
            del self.filters["role"]
        if Role.LIAISON in roles:
            self.filters["organization"].queryset = Organization.objects.filter(users__isnull=False).distinct()
        else:
            del self.filters["organization"]
