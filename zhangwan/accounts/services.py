from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from zhangwan.registry.models import Worker

from .models import User
from .roles import Role


class ClaimError(Exception):
    pass


def worker_find_claimable(*, id_number: str, name: str, mobile: str) -> Worker | None:
    return Worker.objects.filter(id_number=id_number, name=name.strip(), mobile=mobile, user__isnull=True).first()


@transaction.atomic
def worker_claim(*, worker_id: int, username: str, password: str) -> User:
    """Give a roster worker their own login. Twice at once: the second finds it claimed."""
    worker = Worker.objects.select_for_update().get(pk=worker_id)
    if worker.user_id is not None:
        raise ClaimError(_("This record has already been claimed. Log in, or ask your liaison for help."))
    user = User(username=username, full_name=worker.name, organization=None)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.WORKER))
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    return user
