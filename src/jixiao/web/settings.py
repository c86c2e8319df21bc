"""Django settings, all from the environment.

JIXIAO_DATABASE_URL  sqlite:///path/to/file.sqlite3 or postgresql://user:pass@host:port/db
                     (default: sqlite:///./jixiao.sqlite3, the file `jixiao demo` creates)
JIXIAO_SECRET_KEY    secret key; required by `jixiao serve` unless debug is on. Unset, each process
                     makes a random key of its own (commands and tests work; sessions do not outlive
                     the process), never a built-in one
JIXIAO_ALLOWED_HOSTS comma-separated host names (default: 127.0.0.1,localhost)
JIXIAO_DEBUG         1/true to turn debug on (off by default)
JIXIAO_MAX_UPLOAD_MB upload size limit per file (default 20)
JIXIAO_SECURE_COOKIES 1/true: session and CSRF cookies only over HTTPS (set it when served over HTTPS)
JIXIAO_HSTS_SECONDS  Strict-Transport-Security max-age in seconds (default 0: no header)
JIXIAO_TLS_PROXY     1/true: behind a proxy that ends TLS and sets X-Forwarded-Proto: https
JIXIAO_CSP           the Content-Security-Policy header (default: `CONTENT_SECURITY_POLICY` below)
JIXIAO_LOGIN_FAILURE_LIMIT  failed logins before a lock-out (default 10), counted per account and
                     per client address (django-axes)
JIXIAO_LOGIN_COOLOFF_MINUTES  how long a lock-out lasts (default 15; every further try restarts it)
JIXIAO_PROXY_COUNT   reverse proxies in front of the app (default 0: the client address is
                     REMOTE_ADDR; n: taken from X-Forwarded-For, n hops from the right)
JIXIAO_TASK_WORKER   embedded (default): `jixiao serve` / `jixiao demo` run a task worker process of
                     their own; external: background tasks are run by `jixiao worker` processes only
JIXIAO_UPLOAD_TASK_KB uploaded files larger than this are imported as background tasks (default 512)
JIXIAO_EXPORT_INLINE_PROJECTS  Excel / web-page exports of more projects are background tasks (default 20)
JIXIAO_JOBS_PER_USER the background tasks one user may have waiting or running at once (default 20;
                     at least 1): one more is refused until some finish
JIXIAO_PG_PREPARE    0/false behind a pooler that cannot carry prepared statements (pgbouncer before
                     1.21 in transaction mode): the pages' fixed queries and the imports' bulk
                     inserts are then not prepared
"""

from __future__ import annotations

import math
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from jixiao.web import SettingsError

HERE = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    v = os.environ.get(name)
    if v is None:
        return default
    return v.strip().lower() in ("1", "true", "yes", "on")


def env_number(name: str, default: str, kind: type[int] | type[float] = int) -> int | float:
    """The environment variable `name` as an integer (or a float), `default` when unset; a value
    that is not one is a SettingsError naming the variable, not a traceback."""
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):  # nan, inf: a later timedelta() fails on them
        what = "整数" if kind is int else "数字"
        raise SettingsError(f"{name} 应为{what}，现为“{raw}”")
    return value


def database_from_url(url: str) -> dict:
    """Django DATABASES['default'] from a sqlite:/// or postgresql:// URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else unquote(parts.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or "jixiao.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                # WAL: readers do not block the writer; IMMEDIATE: writers queue instead of deadlocking
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": _port(url, parts),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": "test_" + (unquote(parts.path.lstrip("/")) or "postgres")},
        }
    shown = _shown(url, parts)
    raise SettingsError(f"JIXIAO_DATABASE_URL 应以 sqlite:/// 或 postgresql:// 开头，现为“{shown}”")


def _shown(url: str, parts: SplitResult) -> str:
    """The URL as a message may show it: its password (if any) as ***, never in a log."""
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _port(url: str, parts: SplitResult) -> str:
    """The URL's port as text ("" for none); one that is not a port is a SettingsError."""
    try:
        return str(parts.port or "")
    except ValueError:
        raise SettingsError(f"JIXIAO_DATABASE_URL 的端口应为数字，现为“{_shown(url, parts)}”") from None


DEBUG = env_flag("JIXIAO_DEBUG")
DATABASE_URL = os.environ.get("JIXIAO_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'jixiao.sqlite3'}"
# the pages' compiled queries as prepared statements on PostgreSQL (`web.lib.compiled`)
JIXIAO_PG_PREPARE = env_flag("JIXIAO_PG_PREPARE", True)
DATABASES = {"default": database_from_url(DATABASE_URL)}

# no built-in key: without JIXIAO_SECRET_KEY a random one per process (`jixiao serve` refuses to
# start so unless debug is on; the WSGI module refuses too)
_KEY = os.environ.get("JIXIAO_SECRET_KEY", "").strip()
SECRET_KEY_MISSING = not _KEY
SECRET_KEY = _KEY or "jixiao-ephemeral-" + secrets.token_urlsafe(48)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("JIXIAO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
if "testserver" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "jixiao.web.apps.AxesConfig",  # django-axes under a Chinese name in the admin
    "jixiao.web.apps.WebConfig",
    "django_tasks",
    "django_tasks_db",
    "jixiao.web.jobs.apps.JobsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jixiao.web.errors.ChineseErrors",  # a 405 (page or API) answered in Chinese
    "jixiao.web.middleware.RequestSizeLimit",
    "jixiao.web.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jixiao.web.middleware.RejectNul",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jixiao.web.urls"
# 公开查询 (readers' view: published targets, search, comparison, library, no login);
# JIXIAO_PUBLIC=0 turns it off.
JIXIAO_PUBLIC = env_flag("JIXIAO_PUBLIC", True)
CSRF_FAILURE_VIEW = "jixiao.web.errors.csrf_failure"  # Chinese, JSON under /api/
WSGI_APPLICATION = "jixiao.web.wsgi.application"
AUTH_USER_MODEL = "web.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "units"
LOGOUT_REDIRECT_URL = "login"

# passwords: Django's validators on every path that sets one (actions.create_user / update_user)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# login throttling (django-axes): failures are counted per account and per client address, either
# one reaching the limit locks logins out (the page and /admin/login/ say so in Chinese); API
# tokens are not passwords and are not throttled here
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_number("JIXIAO_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=env_number("JIXIAO_LOGIN_COOLOFF_MINUTES", "15", float))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "jixiao.web.views.login.login_locked"
AXES_RESET_ON_SUCCESS = False
PROXY_COUNT = int(env_number("JIXIAO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "jixiao.web.middleware.client_address"
AXES_USERNAME_CALLABLE = "jixiao.web.middleware.login_username"
AXES_VERBOSE = False

TEMPLATES = [
    {
        # the pages (jixiao/web/jinja2/): Jinja2 renders them several times faster than Django's engine
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "jixiao.web.jinja.environment",
            "autoescape": True,
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jixiao.web.lib.csrf.csrf_once",  # one CSRF masking a page, not one a form
            ],
        },
    },
    {  # the admin (jixiao/web/templates/ overrides one admin template: see admin/search_form.html)
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
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

# everything a user reads is Chinese: Django's own zh_Hans catalogs (admin, forms, auth), completed
# by jixiao/web/locale/ where Django 5.2's leave texts untranslated (the admin's filter_horizontal
# widget in /admin/jsi18n/, a few admin and auth texts) and for django-axes, which has no zh_Hans
# catalog. The .mo files are committed: nothing is compiled at run time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [HERE / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("JIXIAO_STATIC_ROOT") or None
# static files (the app's CSS, the admin's and django-ninja's Swagger UI) are served by the app itself
# through WhiteNoise straight from the installed packages: no collectstatic step, no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MAX_UPLOAD_MB = int(env_number("JIXIAO_MAX_UPLOAD_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_MB * 1024 * 1024 + 1024 * 1024
# an uploaded document is parsed in a worker process killed past this time / memory (jixiao.ingest.bounded)
JIXIAO_PARSE_TIMEOUT = env_number("JIXIAO_PARSE_TIMEOUT", "30", float)
JIXIAO_PARSE_MEMORY_MB = int(env_number("JIXIAO_PARSE_MEMORY_MB", "512"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# sessions in the database, read through a per-process cache (one query saved per request)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jixiao",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_flag("JIXIAO_SECURE_COOKIES")
SECURE_HSTS_SECONDS = int(env_number("JIXIAO_HSTS_SECONDS", "0"))
if env_flag("JIXIAO_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# the pages load scripts and styles from the app only (no inline script anywhere; the SVG charts and
# the admin and Swagger UI set inline style attributes, and Swagger UI shows data: images)
CONTENT_SECURITY_POLICY = os.environ.get("JIXIAO_CSP") or (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# background tasks (exports to Word and PDF, large uploads, re-reviews): Django's tasks framework
# (the django-tasks backport) with its database backend, so the queue lives in the app's own database
# (SQLite for the demo, PostgreSQL in production) and needs no other service. Workers: `jixiao worker`,
# or the one `jixiao serve` starts itself unless JIXIAO_TASK_WORKER=external.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_WORKER = (os.environ.get("JIXIAO_TASK_WORKER") or "embedded").strip().lower()
UPLOAD_TASK_BYTES = int(env_number("JIXIAO_UPLOAD_TASK_KB", "512")) * 1024
# Excel and web-page exports of more projects than this are background tasks too (Word and PDF always
# are): a unit-year's .xlsx 绩效目标表 takes seconds from a few dozen projects on
EXPORT_INLINE_PROJECTS = int(env_number("JIXIAO_EXPORT_INLINE_PROJECTS", "20"))
# the background jobs one user may have unfinished (queued or running) at once (`tasks.start_job`):
# one user queueing uploads without end would hold the workers from everyone else
JOBS_PER_USER = int(env_number("JIXIAO_JOBS_PER_USER", "20"))
if JOBS_PER_USER < 1:
    raise SettingsError(f"JIXIAO_JOBS_PER_USER 应为不小于 1 的整数，现为“{JOBS_PER_USER}”")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
