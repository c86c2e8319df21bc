# ruff: noqa: RUF012  (Django declares Meta options as class lists)
"""One background job per thing a user started; the queue's own row (django_tasks_db) runs it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField("类型", max_length=20)  # export, upload, review
    title = models.CharField("内容", max_length=300)
    params = models.JSONField("参数", default=dict)
    task_id = models.CharField("队列任务", max_length=64, blank=True, db_index=True)
    state = models.CharField("状态", max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    error = models.TextField("失败原因", blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    # the uploaded file a job reads (large uploads), dropped once the job ends
    input_name = models.CharField("上传文件", max_length=255, blank=True)
    input_data = models.BinaryField("上传内容", null=True, blank=True)
    # the file a job writes, served to its user only
    file_name = models.CharField("文件名", max_length=255, blank=True)
    file_type = models.CharField("文件类型", max_length=120, blank=True)
    file_data = models.BinaryField("文件", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_created")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_state_display()}）"
