"""The project's settings with the production cache (Redis, shared by every worker), its keys under
$CACHE_KEY_PREFIX: for tests that start gunicorn workers and check what they share. Used only by tests."""

from zhangwan.settings import *  # noqa: F403
from zhangwan.settings import CACHES, SHARED_CACHE, env

CACHES = {**CACHES, "default": {**SHARED_CACHE, "KEY_PREFIX": env("CACHE_KEY_PREFIX")}}
