"""Settings for the HTTP benchmarks: the project's, against a throw-away bench database.

Used by gunicorn and by the bench scripts (DJANGO_SETTINGS_MODULE=bench.settings). The database
name comes from $DATABASE_NAME like in the project settings, but here it must be a bench database
(``zhangwan_bench…``): the scripts drop it when they finish, so these settings refuse to point at
anything else.
"""

import warnings

from django.core.exceptions import ImproperlyConfigured

from zhangwan.settings import *  # noqa: F403
from zhangwan.settings import CACHES, DATABASES, SHARED_CACHE, env

BENCH_DATABASE_PREFIX = "zhangwan_bench"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls"
# No collectstatic for a benchmark: the pages are measured, not their assets (as in pytest.ini).
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

DATABASES["default"]["NAME"] = env("DATABASE_NAME", default=BENCH_DATABASE_PREFIX)
if not DATABASES["default"]["NAME"].startswith(BENCH_DATABASE_PREFIX):
    raise ImproperlyConfigured(f"bench.settings only runs on a database named {BENCH_DATABASE_PREFIX}…, "
                               f"not {DATABASES['default']['NAME']!r}")
# The shared cache as in production (Redis), its keys prefixed with this bench database's name.
CACHES = {**CACHES, "default": {**SHARED_CACHE, "KEY_PREFIX": f"zhangwan:{DATABASES['default']['NAME']}"}}
