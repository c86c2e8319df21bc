# ruff: noqa
"""Two indexes every stored indicator row paid for and no query needs: web_indicator(project_id)
alone (the (project_id, seq) index answers every lookup by project: the pages' ordered reads,
cascade deletes) and the LIKE-pattern twin of level1_canonical's index on PostgreSQL (the category
is matched by equality only); level1_canonical keeps a plain index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0010_pagespeed2_review_numbers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="indicator",
            name="level1_canonical",
            field=models.CharField(blank=True, max_length=20, null=True),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicators",
                to="web.project",
            ),
        ),
        migrations.AddIndex(
            model_name="indicator",
            index=models.Index(fields=["level1_canonical"], name="web_indicator_level1_idx"),
        ),
    ]
