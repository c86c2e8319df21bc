from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jixiao.web.jobs"
    label = "jobs"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the queue's own rows are English-only in the admin; the jobs (Chinese) are what to look at
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
