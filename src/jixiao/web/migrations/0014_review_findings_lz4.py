# ruff: noqa
"""PostgreSQL: a review row's findings (~5.6 kB of JSON text a project, most over the 2 kB at which
a row's values are compressed) compressed with lz4 rather than pglz, where the server has it
(PostgreSQL 14 and later, built with lz4): pglz took ~7 % of the server's time storing a new
document (`bench/store.py`); lz4 stores the same 2,720 rows of 200 documents in 155 ms instead of
280, ~8 % larger. Only new values are compressed so; the values stored before read as they did.
Nothing on SQLite or elsewhere; undone as the server's default again."""

from django.db import migrations


def _lz4(schema_editor) -> bool:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row) and "lz4" in (row[0] or [])


def _compression(method: str):
    def run(apps, schema_editor):
        if _lz4(schema_editor):
            schema_editor.execute(
                f'ALTER TABLE "web_reviewresult" ALTER COLUMN "findings" SET COMPRESSION {method}'
            )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0013_redundant_fk_indexes"),
    ]

    operations = [migrations.RunPython(_compression("lz4"), _compression("default"))]
