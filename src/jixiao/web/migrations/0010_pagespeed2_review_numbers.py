# ruff: noqa
"""The stored reviews' counts by severity and indicator counts as plain columns, filled in from the
JSON columns they summarise (`counts`, `categories`), so that stored reviews stay current."""

from django.db import migrations, models


def fill(apps, schema_editor):
    ReviewResult = apps.get_model("web", "ReviewResult")
    batch = []
    rows = ReviewResult.objects.order_by("id").values_list("id", "counts", "categories")
    for pk, counts, categories in rows.iterator(chunk_size=2000):
        counts = counts or {}
        batch.append(
            ReviewResult(
                id=pk,
                error_count=counts.get("error", 0),
                warning_count=counts.get("warning", 0),
                hint_count=counts.get("hint", 0),
                indicator_count=sum(c[2] for c in categories or ()),
            )
        )
        if len(batch) >= 2000:
            ReviewResult.objects.bulk_update(
                batch, ["error_count", "warning_count", "hint_count", "indicator_count"]
            )
            batch = []
    if batch:
        ReviewResult.objects.bulk_update(
            batch, ["error_count", "warning_count", "hint_count", "indicator_count"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0009_worklist_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewresult", name="error_count", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="reviewresult", name="warning_count", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="reviewresult", name="hint_count", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="reviewresult", name="indicator_count", field=models.IntegerField(default=0)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
