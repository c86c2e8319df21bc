# ruff: noqa
"""Finer statistics of the indicator texts search matches (PostgreSQL only): 1,000 most common values
and histogram buckets of name, description and value instead of 100.

The search page's plan (`lib.search.page_and_count`) rests on PostgreSQL's estimate of how many rows
contain the keyword (LIKE '%q%' on the three columns): many hits, walk the id key backwards and stop
at the newest 1,001; few, read them all from the trigram indexes and sort. With 100 buckets the
estimate changed with each ANALYZE's sample: on the bench's data (300 distinct names) 合格率, in
20,200 rows, was once estimated at 42, read all 20,200 rows through the indexes and sorted them
(57 ms instead of 11); with 1,000 the estimates of the bench's words were within 2 % (planning
0.2 ms longer: the pattern is tried on more sampled values; ANALYZE samples 300,000 rows, not 30,000).
"""

from django.db import migrations

COLUMNS = ("name", "description", "value")


def _set(apps, schema_editor, target: int) -> None:
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    qn = conn.ops.quote_name
    table = apps.get_model("web", "Indicator")._meta.db_table
    clauses = ", ".join(f"ALTER COLUMN {qn(c)} SET STATISTICS {int(target)}" for c in COLUMNS)
    with conn.cursor() as cur:
        cur.execute(f"ALTER TABLE {qn(table)} {clauses}")
        # the new statistics now rather than at autovacuum's next ANALYZE of the table
        cur.execute(f"ANALYZE {qn(table)} ({', '.join(qn(c) for c in COLUMNS)})")


def forwards(apps, schema_editor):
    _set(apps, schema_editor, 1000)


def backwards(apps, schema_editor):
    _set(apps, schema_editor, -1)  # the server's default_statistics_target


class Migration(migrations.Migration):
    # not one transaction: the ALTER (a SHARE UPDATE EXCLUSIVE lock) commits before the ANALYZE,
    # which samples 300,000 rows of a large table, and holds no lock meanwhile
    atomic = False
    dependencies = [("web", "0011_indicator_indexes_once")]
    operations = [migrations.RunPython(forwards, backwards)]
