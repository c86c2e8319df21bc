# ruff: noqa
"""Three indexes every stored unit-year and project paid for and no query needs: a foreign key's own
index where a wider index leads with the same column and answers every lookup by it (the pages'
reads, Django's cascade deletes): web_project(disclosure_id) beside (disclosure_id, seq),
web_project(unit_id) beside the unique (unit_id, year, key), web_disclosure(unit_id) beside the
unique (unit_id, year). The constraints stay. Each dropped as the database names it (every
single-column, non-unique index on the column, read from the database: a database whose index
has another name than Django's is not left with it silently) rather than by AlterField, which on
SQLite copies the whole table and on PostgreSQL drops and validates the foreign key again. Put
back under Django's names."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("web_disclosure_unit_id_7813b659", "web_disclosure", "unit_id"),
    ("web_project_disclosure_id_182f5c77", "web_project", "disclosure_id"),
    ("web_project_unit_id_cf7db6ce", "web_project", "unit_id"),
]


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    for _, table, column in INDEXES:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        names = [
            name
            for name, c in found.items()
            if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
        ]
        for name in names:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0012_search_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_indexes, migrations.RunPython.noop),
                *(
                    migrations.RunSQL(
                        migrations.RunSQL.noop,
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                    )
                    for name, table, column in INDEXES
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="disclosure",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="disclosures",
                        to="web.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="project",
                    name="disclosure",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="web.disclosure",
                    ),
                ),
                migrations.AlterField(
                    model_name="project",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="web.unit",
                    ),
                ),
            ],
        )
    ]
