import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from zhangwan.accounts.models import User
from zhangwan.accounts.roles import STAFF_ROLES, Role

PASSWORD = "Str0ng-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``role=Role.X`` puts them in that role's group (and makes staff roles staff)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))  # hashed before the INSERT: one write

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        kwargs.setdefault("is_staff", role in STAFF_ROLES)
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user


def one_user_per_role(organization) -> dict[str, User]:
    """username → user, one per role (the username is the role), the liaison acting for
    `organization`, the worker's login linked to a worker employed there."""
    from zhangwan.registry.tests.factories import WorkerFactory

    users = {role.value: UserFactory(username=role.value, role=role,
                                     organization=organization if role == Role.LIAISON else None)
             for role in Role}
    WorkerFactory(employer=organization, user=users[Role.WORKER])
    return users
