# ruff: noqa
"""A self-evaluation's 公开 (决算公开 of the 项目支出绩效自评表): when and by whom it was published
(None: not published), and the history's two new actions, 公开 and 撤回公开."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0014_review_findings_lz4"),
    ]

    operations = [
        migrations.AddField(
            model_name="selfevaluation",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="公开时间"),
        ),
        migrations.AddField(
            model_name="selfevaluation",
            name="published_by",
            field=models.CharField(blank=True, default="", max_length=150, verbose_name="公开人"),
        ),
        migrations.AlterField(
            model_name="history",
            name="action",
            field=models.CharField(
                choices=[
                    ("import", "导入"),
                    ("edit", "修改"),
                    ("submit", "提交"),
                    ("return", "退回"),
                    ("approve", "批复"),
                    ("user", "用户"),
                    ("token", "令牌"),
                    ("monitor", "运行监控"),
                    ("selfeval", "绩效自评"),
                    ("outcome", "监控处理意见"),
                    ("publish", "公开"),
                    ("withdraw", "撤回公开"),
                ],
                max_length=30,
                verbose_name="操作",
            ),
        ),
    ]
