"""Settings for development and tests; `settings_production` tightens them for deployment.

Configuration comes from the environment (12-factor). `make run` / `make test` write the
service URLs they chose to `.run/services.env`, read here without overriding the environment.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".run" / "services.env").exists():
    environ.Env.read_env(BASE_DIR / ".run" / "services.env")

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-zhangwan")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "zhangwan.admin_site.AdminConfig",  # django.contrib.admin: the project's site, no sidebar (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "zhangwan.accounts.axes_app.AxesConfig",  # django-axes, its admin section in the reader's language
    "django_filters",
    "django_htmx",
    "csp",
    "zhangwan.registry",
    "zhangwan.accounts",
    "zhangwan.jobs",
    "zhangwan.limits",
    "competitions",
    "certification",
    "training",
    "training.subsidies",
    "masters",
    "zhangwan.reports",
    "zhangwan.audit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "zhangwan.api",
    "zhangwan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhangwan.request_size.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhangwan.ratelimit.ExportLimitMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhangwan.urls"
WSGI_APPLICATION = "zhangwan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "zhangwan.translate_tags.Templates",  # Django's (its check knows our i18n library is meant)
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} through fast_reverse and {% static %} kept; the list pages' filter bar
            "builtins": ["zhangwan.links", "zhangwan.chrome", "zhangwan.filters", "zhangwan.fields", "zhangwan.extends",
                         "zhangwan.pagination"],
            # {% load i18n %}: Django's library with a {% translate %} that keeps its constant messages
            "libraries": {"i18n": "zhangwan.translate_tags"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhangwan.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/zhangwan")}
if env("DATABASE_NAME", default=""):
    # Lets a test start a Celery worker on the test database without rebuilding the URL.
    DATABASES["default"]["NAME"] = env("DATABASE_NAME")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhangwan.accounts.backends.CachedModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhangwan.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())
# Sessions live in the database only, in every configuration: a per-process cache (LocMem) keeps a
# session alive in the other workers after a logout, and a shared one (Redis, ResilientRedisCache)
# drops the delete silently during an outage, so the cached copy would outlive the logout. Django's
# database sessions, each request's read a plain statement (zhangwan/accounts/sessions.py).
SESSION_ENGINE = "zhangwan.accounts.sessions"

# Lock out a username from one address after repeated failures; a whole factory shares one
# public address, so the IP alone must never lock everybody out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the application (the README's TLS proxy is one): the client address
# is then read from X-Forwarded-For (zhangwan/net.py). 0 = the socket's address, the header ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "zhangwan.net.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: rosters and attachments. Larger files are refused with a message, not a 500.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# The whole request body, files included (zhangwan/request_size.py): above it, 413 before anything is read.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=20 * 1024 * 1024)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@zhangwan-union.local")

# Text messages (one-time codes): see zhangwan/sms.py. Development prints them; tests write a file.
SMS_URL = env("SMS_URL", default="console://")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="张湾区总工会")
SMS_APP_ID = env("SMS_APP_ID", default="")
SMS_SECRET_ID = env("SMS_SECRET_ID", default="")
SMS_SECRET_KEY = env("SMS_SECRET_KEY", default="")
SMS_REGION = env("SMS_REGION", default="ap-guangzhou")
# The provider's template id for each message (zhangwan.sms.TEMPLATES).
SMS_TEMPLATES = {key: env(f"SMS_TEMPLATE_{key.upper()}", default="")
                 for key in ("claim", "password_reset", "mobile_change", "bank_change", "invitation",
                             "bank_reminder")}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_RESULT_EXPIRES = timedelta(days=7)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job whose worker dies is redelivered after this long; longer than the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# A broker that does not answer fails a publish within seconds (the job is then kept, see
# zhangwan/jobs/queue.py) instead of holding the page.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "send-pending-jobs": {"task": "zhangwan.jobs.tasks.send_pending_jobs", "schedule": 60.0},
    "delete-old-codes": {"task": "zhangwan.accounts.tasks.delete_old_codes_and_locks", "schedule": 3600.0},
    "purge-rate-counters": {"task": "zhangwan.limits.tasks.purge_rate_counters", "schedule": 3600.0},
    "purge-idempotency-keys": {"task": "zhangwan.api.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "deliver-due-webhooks": {"task": "zhangwan.api.tasks.deliver_due_webhooks", "schedule": 30.0},
    "purge-webhook-log": {"task": "zhangwan.api.tasks.purge_webhook_log", "schedule": 86400.0},
    "prune-figure-changes": {"task": "zhangwan.reports.tasks.prune_figure_changes", "schedule": 3600.0},
}

# Hosts webhooks may be sent to over http and whatever address they resolve to (tests, an intranet);
# every other webhook goes over https to public addresses only (zhangwan/api/webhooks.py).
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# No list page is cached (a cached list page could show a seat that was taken: docs/performance.md);
# rate limits are in PostgreSQL (zhangwan/ratelimit.py). The cache holds the users' roles and permissions
# (zhangwan/accounts/access_cache.py) and the dashboard's figures, each entry with the snapshot it was read
# in and stale as soon as a change it has not seen commits (zhangwan/reports/kept.py): here one process's
# own; in production (and in the benchmarks) Redis, shared by every worker, its keys prefixed with the
# database's name so that two databases' users never meet.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Parts of pages drawn only from what their cache key names (the navigation bar: language, roles, the
    # current item), never from the database: each process keeps its own, nothing to invalidate. Also the
    # filter bars' lists, keyed by PostgreSQL's change numbers of their tables (zhangwan/table_versions.py).
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
# Redis down is a cache miss, not an error page (zhangwan/cache.py); a hung Redis costs one half-second
# timeout, then is left alone for 10 s.
SHARED_CACHE = {"BACKEND": "zhangwan.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"zhangwan:{DATABASES['default']['NAME']}",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}

ADMIN_SITE_HEADER = _("Zhangwan District Skills Talent Platform")

# Seconds a long job waits after each step (zhangwan.jobs.step_pause): 0 in use; the tests that kill
# a worker mid-run set them so there is a middle to kill it in. The claim engine, the annual report,
# and the other long jobs (results, eligibility, exports).
SUBSIDY_STEP_PAUSE = env.float("ZW_SUBSIDY_STEP_PAUSE", default=0.0)
REPORT_STEP_PAUSE = env.float("ZW_REPORT_STEP_PAUSE", default=0.0)
# The annual report's summary as a PDF, made only where this program (LibreOffice) is installed: optional.
SUMMARY_PDF_CONVERTER = env("SUMMARY_PDF_CONVERTER", default="soffice")
SUMMARY_PDF_TIMEOUT = env.int("SUMMARY_PDF_TIMEOUT", default=120)
JOB_STEP_PAUSE = env.float("ZW_JOB_STEP_PAUSE", default=0.0)
# A list export of more rows than this is written by a background job (zhangwan/jobs/exports.py):
# about a millisecond a row, so a page never holds a request much longer than two seconds.
EXPORT_DIRECT_ROWS = env.int("ZW_EXPORT_DIRECT_ROWS", default=2000)

# The API for enterprise systems (docs/api.md): bearer tokens only (no session, so no CSRF), JSON in and
# out, one exception handler for every refusal, cursor pages, calls per token counted in PostgreSQL.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["zhangwan.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["zhangwan.api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["zhangwan.api.auth.TokenRateLimit"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "zhangwan.api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zhangwan.api.errors.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_CALLS_PER_MINUTE = env.int("API_CALLS_PER_MINUTE", default=600)
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhangwan Skills Talent Platform API",
    "DESCRIPTION": "For enterprise HR systems: roster sync, training, competitions, certificates, subsidies. "
                   "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The documentation page's assets come from the installed drf-spectacular-sidecar: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "zhangwan.api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {"EnrollmentStatusEnum": "training.models.Enrollment.Status",
                            "EntryStatusEnum": "competitions.models.Entry.Status",
                            "CertificateStatusEnum": "certification.models.Certificate.Status",
                            "ClaimStatusEnum": "training.subsidies.models.Claim.Status",
                            "ClassStatusEnum": "training.models.TrainingClass.Status",
                            "AttendanceStatusEnum": "training.models.Attendance.Status"},
}
