"""How many calls a token may make (zhangwan/ratelimit.py counts them, per minute)."""

from datetime import timedelta

from django.conf import settings

from zhangwan.ratelimit import Limit

CALLS = Limit("api-calls", settings.API_CALLS_PER_MINUTE, timedelta(minutes=1))
