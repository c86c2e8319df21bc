# ruff: noqa
"""History action "delete" (删除项目): the deletion of a project, recorded on its unit-year."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0015_selfeval_published"),
    ]

    operations = [
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
                    ("delete", "删除项目"),
                ],
                max_length=30,
                verbose_name="操作",
            ),
        ),
    ]
