"""Production: no debug, secrets from the environment, HTTPS only, hashed static files."""

from .settings import *  # noqa: F403
from .settings import CACHES, REDIS_URL, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Rate limits (claims, certificate verification) must be shared by every gunicorn worker.
CACHES = {
    **CACHES,
    # Redis down is a cache miss, not an error page (zhangwan/cache.py); a hung Redis costs one
    # half-second timeout, then is left alone for 10 s.
    "default": {"BACKEND": "zhangwan.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "zhangwan",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
