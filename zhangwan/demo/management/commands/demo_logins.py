from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from zhangwan.accounts.models import User
from zhangwan.demo.accounts import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo login of each role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        translation.activate("en")
        existing = set(User.objects.filter(username__in=[*DEMO_USERS, "admin"]).values_list("username", flat=True))
        self.stdout.write(f"\nOpen {url}  —  demo logins (password for all: {DEMO_PASSWORD})")
        for username, (role, _name) in DEMO_USERS.items():
            if username in existing:
                self.stdout.write(f"  {role.label:<24} {username}")
        if "admin" in existing:
            self.stdout.write(f"  {'Superuser (admin site)':<24} admin")
        self.stdout.write(f"A roster worker without an account claims it at {url}/accounts/claim/ with the SMS code "
                          f"sent to their mobile; {sms_destination()}.")


def sms_destination() -> str:
    """Where development text messages (and so the claim codes) can be read."""
    parts = urlsplit(settings.SMS_URL)
    if parts.scheme == "console":
        return "here, text messages are printed in this terminal"
    if parts.scheme == "file":
        return f"here, text messages are written to {parts.path}/sms.jsonl"
    return "text messages go to the SMS provider"
