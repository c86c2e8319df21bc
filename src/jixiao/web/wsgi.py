"""WSGI entry point (`jixiao serve` runs it with waitress or gunicorn; other WSGI servers may too).

Without JIXIAO_SECRET_KEY (and debug off) it refuses to load: each process would sign sessions with
a key of its own."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.web.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (configured by get_wsgi_application)

if getattr(settings, "SECRET_KEY_MISSING", False) and not settings.DEBUG:
    raise ImproperlyConfigured(
        "未设置 JIXIAO_SECRET_KEY：请设置一个长的随机密钥后再启动（调试时可设 JIXIAO_DEBUG=1）。"
    )
