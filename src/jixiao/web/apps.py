from axes.apps import AppConfig as _AxesConfig
from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jixiao.web"
    label = "web"
    verbose_name = "绩效管理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from jixiao.web import pgarrays

        connection_created.connect(pgarrays.register, dispatch_uid="jixiao.web.pgarrays")


class AxesConfig(_AxesConfig):
    """django-axes (login throttling) with a Chinese name in the admin."""

    verbose_name = "登录限制"
