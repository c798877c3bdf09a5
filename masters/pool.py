"""The reviewer pool follows the accounts the masters officer manages (zhangwan/accounts/managing.py):
an invited expert joins the pool when they open their account (with the invitation's organization,
for the conflict rules), and leaves it (inactive, never assigned) while the account is deactivated."""

from .models import Reviewer


def reviewer_join(user, invitation) -> Reviewer:
    reviewer, _created = Reviewer.objects.get_or_create(user=user, defaults={"organization": invitation.organization})
    return reviewer


def reviewer_active(user, active: bool) -> None:
    Reviewer.objects.filter(user=user).update(active=active)
