# ruff: noqa: RUF012
"""Trigram indexes for indicator and project search (PostgreSQL only; SQLite scans).

Search (views.text_filter) matches text without Latin letters with `contains`, which Django writes
as col::text LIKE '%q%'; these GIN trigram indexes let PostgreSQL answer it without reading every
row (pg_trgm hashes CJK trigrams under a UTF-8 ctype).
"""

from django.db import migrations, transaction

INDEXES = [
    ("web_indicator_name_trgm", "web_indicator", "name"),
    ("web_indicator_value_trgm", "web_indicator", "value"),
    ("web_indicator_description_trgm", "web_indicator", "description"),
    ("web_project_name_trgm", "web_project", "name"),
    ("web_project_code_trgm", "web_project", "code"),
]


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from psycopg import sql

    with conn.cursor() as cur:
        try:
            with transaction.atomic(using=conn.alias):
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no right to create the extension: search still works, by scanning
            return
        for name, table, column in INDEXES:
            cur.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin ((({})::text) gin_trgm_ops)").format(
                    sql.Identifier(name), sql.Identifier(table), sql.Identifier(column)
                )
            )


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from psycopg import sql

    with conn.cursor() as cur:
        for name, _table, _column in INDEXES:
            cur.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
