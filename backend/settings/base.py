"""Settings shared by every environment. Environment-specific modules import this."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from backend.env import env_bool, env_int, env_list, env_str, parse_origin

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# The portal's own origin: links sent by e-mail (password reset) are built from it, never from the
# Host header of the request that asked for them (backend/origin.py).
PORTAL_ORIGIN = parse_origin("PORTAL_ORIGIN", env_str("PORTAL_ORIGIN", "http://localhost:8000"))

INSTALLED_APPS = [
    "backend.admin_apps.PortalAdminConfig",  # django.contrib.admin, admitting every member (backend/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "auditlog",
    # Project apps, in dependency order (each imports only those above it).
    "backend",
    "forces",
    "audit",
    "disclosure",
    "feedback",
    "reports",
    "portal",  # the web interface's glue: start pages and the site's root (imports every app's selectors)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.audit.AuditMiddleware",
    # Axes must be last: it turns a lockout raised by its backend into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: backend's overrides of the admin's templates (admin/base_site.html) win over
        # django.contrib.admin's, which comes first in INSTALLED_APPS.
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# No DATABASE_URL: a SQLite file under var/ (laptop). DATABASE_URL=postgres://...: PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches (throttling counters); shared between app servers in production --------------
# Local and test settings count in this process; production in Redis (backend/settings/production.py).
CACHES: dict[str, dict[str, Any]] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True

# django-axes: count failed logins (API and admin) and lock the account out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "backend.api.auth.lockout_response"
# The address axes records is the one the audit log and the throttles use (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "backend.net.client_address"

# django-guardian: object permissions use direct foreign-key models; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# django-rest-knox: expiring, revocable API tokens (stored hashed).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 10)),
    # At the limit, a new login revokes the oldest token (backend.api.auth.LoginView): someone
    # who knows the password cannot lock the owner out by filling every slot.
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# --- Audit (DPA 2018 s.62) ------------------------------------------------------------
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEvent"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Key of the hash that stands in for free text in audit entries (backend.audit.keyed_hash).
# Empty: derived from SECRET_KEY. Set it to keep hashes comparable across SECRET_KEY rotations.
AUDIT_HASH_KEY = env_str("AUDIT_HASH_KEY", "")
# Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted. It drives
# backend.net.client_address, the one answer to "where from" for the audit log, every
# throttle (API calls and logins on every path) and django-axes.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- REST framework --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "backend.filters.ScopedFilterBackend",
        "backend.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "backend.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "backend.ratelimit.AnonRateThrottle",
        "backend.ratelimit.UserRateThrottle",
    ],
    # Also for DRF code that identifies clients itself; ours goes through backend.net.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
        "login": env_str("API_THROTTLE_LOGIN", "20/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Disclosure quality portal API",
    "DESCRIPTION": (
        "Joint CPS-police dip sampling of unused material schedules (MG6C/MG6D/MG6E, SDC, DMD), "
        "defects, feedback and force-level summaries. Authenticate with `Authorization: Token <key>` "
        "from `POST /api/v1/auth/login/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the app itself: CPS and police networks block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One component per domain enumeration, named after it (dotted paths: imported lazily).
    "ENUM_NAME_OVERRIDES": {
        "StreamEnum": "forces.models.Stream",
        "OrganisationKindEnum": "forces.models.OrganisationKind",
        "RoleEnum": "forces.models.Role",
        "ScheduleKindEnum": "disclosure.models.ScheduleKind",
        "SideEnum": "forces.models.Side",
        "SeverityEnum": "disclosure.models.Severity",
        "RatingEnum": "disclosure.models.Rating",
        "CriterionResultEnum": "disclosure.models.CriterionResult",
        "DipSampleStatusEnum": "disclosure.models.DipSampleStatus",
        "MeetingKindEnum": "reports.models.MeetingKind",
        "ActionItemStatusEnum": "reports.models.ActionItemStatus",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every error status any view can answer, in the one error shape (backend/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema.document_errors",
    ],
}

# --- Internationalisation and static files -------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Demo data password (seed_demo); generated and printed when unset.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "")
#: Where seed_demo notes the demo users' password hashes it set, so a second run need not re-check each
#: password (a deliberately slow hash) to know it is unchanged; None: check every one.
DEMO_SEED_STATE_FILE: Path | None = VAR_DIR / "demo-seed-state.json"
#: How many whole months of dip sampling `seed_demo` builds (a year: the trends and meetings need one).
DEMO_MONTHS = 12

# --- E-mail (feedback reminders: manage.py send_feedback_reminders) ------------------------
# Printed to the console unless EMAIL_BACKEND says otherwise; production defaults to SMTP.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "disclosure-portal@example.org")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# --- Request bodies and CSV intake ------------------------------------------------------
# CSV intake (POST /api/v1/cases/import/, manage.py import_cases): largest file in bytes, and
# most lines after the header (blank ones included). The defaults import in a few seconds,
# well inside gunicorn's 30 s worker timeout (scripts/bench_import.py measures it).
CSV_IMPORT_MAX_BYTES = env_int("CSV_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
CSV_IMPORT_MAX_ROWS = env_int("CSV_IMPORT_MAX_ROWS", 5000)
# Form-encoded and multipart fields other than files, held in memory: at most this many bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# An uploaded file up to the CSV limit is held in memory; a larger one is spooled to a temporary
# file (never into memory) and then refused unread.
FILE_UPLOAD_MAX_MEMORY_SIZE = CSV_IMPORT_MAX_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Password reset tokens in a logged path (a 429 on /reset/<uid>/<token>/, the development server's
    # request lines) are masked (backend/logmask.py; gunicorn's logs: gunicorn.conf.py).
    "filters": {"mask_tokens": {"()": "backend.logmask.MaskTokensFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]},
        # Django's own handler of runserver's request lines, with the mask.
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Django's own logger keeps a console handler from its default configuration (when DEBUG); without
        # this, each of its lines would be printed twice (once there, once by the root's handler).
        "django": {"handlers": [], "propagate": True},
        # Request bodies are never logged: they may hold free text under screening.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}


SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks to lock out by IP address too. Police and CPS offices sit behind shared
    # NAT addresses, where one mistyped password would lock a whole building out; we lock
    # the account (username) and limit login attempts per address on every login path with
    # the "login" rate (backend.ratelimit.LoginRateThrottle).
    "axes.W006",
]
