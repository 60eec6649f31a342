"""The one settings module, read from the environment (see .env.example for every variable)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read when present (development); real deployments set the environment.
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# --- Core -----------------------------------------------------------------------------

# Safe by default: production mode unless DJANGO_DEBUG says otherwise.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DJANGO_DEBUG unset or false) refuses to "
            "start without one: set SECRET_KEY to a long random value (see .env.example)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "port.accounts",
    "port.audit",
    "port.dashboards",
    "port.perf",
    "survivors",
    "followups",
    "followups.messaging",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "port.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "port.accounts.middleware.OTPRequiredMiddleware",
    "port.accounts.middleware.ClinicalAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "port.accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "port.urls"
WSGI_APPLICATION = "port.wsgi.application"
ASGI_APPLICATION = "port.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "port.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------

# Embedded default (SQLite) so the run command needs no services; PostgreSQL in tests and
# in production through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT spends seconds compiling the dashboard and export queries, more than it
    # saves; at the default 4 MB of work_mem a year's dashboard sorts spill to disk
    # (docs/performance.md). A DATABASE_URL `?options=` still wins.
    DB_WORK_MEM = env.str("DB_WORK_MEM", default="32MB")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", f"-c jit=off -c work_mem={DB_WORK_MEM}")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and beat share the file: wait for locks instead of failing, WAL for readers.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if env.str("TEST_DATABASE_NAME", default=""):
    # Lets two test runs on one machine use separate test databases.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="port"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------

CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(BASE_DIR / "var" / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: an embedded broker for the no-services demo.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="port")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-followups": {"task": "followups.tasks.sweep", "schedule": 60.0},
    "check-stale-referrals": {"task": "referrals.tasks.check_stale_referrals", "schedule": 3600.0},
    "send-due-messages": {"task": "followups.messaging.tasks.send_due_messages", "schedule": 60.0},
    # Daily: closed cases older than RETENTION_YEARS (docs/security.md, "Retention").
    "purge-expired-cases": {"task": "port.accounts.tasks.purge_expired_cases", "schedule": 24 * 3600.0},
    # Daily: the dashboards' per-event facts checked against the attempts and referrals (docs/performance.md).
    "repair-dashboard-facts": {"task": "port.dashboards.tasks.repair_event_facts", "schedule": 24 * 3600.0},
}

# --- Auth and sessions ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=15)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12)
# How stale the recorded last activity may get before a request writes it again (port.accounts.middleware).
SESSION_LAST_SEEN_RESOLUTION_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor: always for supervisors and admins; for everyone when this is on.
OTP_REQUIRED_FOR_ALL = env.bool("OTP_REQUIRED_FOR_ALL", default=False)
# Only the demo (run command) turns enforcement off, so every demo role can log in at once.
OTP_ENFORCED = env.bool("OTP_ENFORCED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="PORT case management")

# --- Security headers (check --deploy clean in production) -----------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party front-end assets come from npm (package-lock.json), served by this app.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/axe-core", NODE_MODULES / "axe-core"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = BASE_DIR / "var" / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# --- Locale ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("PROGRAM_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env.str("PHONE_REGION", default="US")
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="port@localhost")

# --- Encryption of sensitive fields ----------------------------------------------------

# Comma-separated Fernet keys, newest first; older keys still decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set. Production mode refuses to start without a key "
            "for the encrypted fields: generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQta2V5LW5ldmVyLWluLXByb2R1Y3Q="]
# Keyed hash for searchable sensitive values (phones).
SEARCH_HASH_KEY = env.str("SEARCH_HASH_KEY", default=SECRET_KEY)

# --- The program: windows and rules (design.md) ---------------------------------------

PROGRAM_NAME = env.str("PROGRAM_NAME", default="Community Outreach Program")
PROGRAM_PHONE = env.str("PROGRAM_PHONE", default="")
FOLLOWUP_TARGET_HOURS = env.int("FOLLOWUP_TARGET_HOURS", default=24)
FOLLOWUP_WARNING_HOURS = env.int("FOLLOWUP_WARNING_HOURS", default=48)
FOLLOWUP_DEADLINE_HOURS = env.int("FOLLOWUP_DEADLINE_HOURS", default=72)
CHECKIN_DAYS = [int(d) for d in env.list("CHECKIN_DAYS", default=["7", "30", "90"])]
CHECKIN_WINDOW_DAYS = env.int("CHECKIN_WINDOW_DAYS", default=3)
FOLLOWUP_MAX_ATTEMPTS = env.int("FOLLOWUP_MAX_ATTEMPTS", default=5)
REPEAT_OVERDOSE_DAYS = env.int("REPEAT_OVERDOSE_DAYS", default=90)
# CSV import of events: upload limits, and files above IMPORT_BACKGROUND_ROWS import in Celery.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=2000)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=200)
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=1000)
STALE_REFERRAL_DAYS = env.int("STALE_REFERRAL_DAYS", default=7)
SWEEP_BATCH_SIZE = env.int("SWEEP_BATCH_SIZE", default=200)
SWEEP_CLAIM_STALE_MINUTES = env.int("SWEEP_CLAIM_STALE_MINUTES", default=5)
# The sweep's Redis lock lives at most this long (a crashed sweep blocks the next one no longer).
SWEEP_LOCK_SECONDS = env.int("SWEEP_LOCK_SECONDS", default=55)
# A scheduled effect whose task keeps failing is retried (every stale period) this many times, then marked failed.
SWEEP_MAX_TRIES = env.int("SWEEP_MAX_TRIES", default=5)
QUIET_HOURS_START = env.str("QUIET_HOURS_START", default="21:00")
QUIET_HOURS_END = env.str("QUIET_HOURS_END", default="08:00")
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=3)
RETENTION_YEARS = env.int("RETENTION_YEARS", default=7)
REPORT_SUPPRESSION_THRESHOLD = env.int("REPORT_SUPPRESSION_THRESHOLD", default=11)
# Words a text template may never contain: they would disclose why we are reaching out.
FORBIDDEN_MESSAGE_WORDS = env.list(
    "FORBIDDEN_MESSAGE_WORDS",
    default=[
        "overdose", "overdosed", "od", "drug", "drugs", "opioid", "opioids", "heroin",
        "fentanyl", "xylazine", "cocaine", "meth", "methamphetamine", "narcan", "naloxone",
        "police", "sheriff", "officer", "treatment", "rehab", "detox", "addiction",
        "substance", "suboxone", "methadone", "buprenorphine",
        # Spanish, for the templates in Spanish.
        "sobredosis", "droga", "drogas", "opioide", "opioides", "heroína", "heroina", "fentanilo",
        "cocaína", "cocaina", "metanfetamina", "naloxona", "policía", "policia", "tratamiento",
        "adicción", "adiccion", "desintoxicación", "desintoxicacion", "metadona",
    ],
)

# --- Messaging (Twilio) ---------------------------------------------------------------

MESSAGING_BACKEND = env.str("MESSAGING_BACKEND", default="followups.messaging.backends.DatabaseBackend")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_KEY_SID = env.str("TWILIO_API_KEY_SID", default="")
TWILIO_API_KEY_SECRET = env.str("TWILIO_API_KEY_SECRET", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_HTTP_TIMEOUT_SECONDS = env.float("TWILIO_HTTP_TIMEOUT_SECONDS", default=10.0)
# Only to point the SDK at a mock of Twilio's API (tests); empty means the real API.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# The fallback for someone who can't get texts: an automated voice message, where it is safe to leave one.
FALLBACK_VOICE_MESSAGES = env.bool("FALLBACK_VOICE_MESSAGES", default=True)
# The public base URL Twilio reaches us on (behind a proxy the Host header is not it).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000")

# --- Logging: never sensitive values ---------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
