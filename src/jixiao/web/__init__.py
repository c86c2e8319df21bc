"""The web application: Django project and app (store, browse, edit, serve to many users).

`setup()` configures Django from the environment (JIXIAO_DATABASE_URL, JIXIAO_SECRET_KEY,
JIXIAO_ALLOWED_HOSTS, JIXIAO_DEBUG) so the CLI, the WSGI server and the tests share one path.
"""

from __future__ import annotations

import os


class SettingsError(ValueError):
    """A JIXIAO_* environment setting that cannot be used; the message names it, in Chinese."""


def setup(debug: bool | None = None) -> None:
    """Configure and set up Django once (settings from the environment)."""
    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.web.settings")
    if debug is not None:
        os.environ["JIXIAO_DEBUG"] = "1" if debug else "0"
    if not settings.configured or not django.apps.apps.ready:
        django.setup()
