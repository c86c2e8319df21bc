# ruff: noqa
"""Three indexes every stored unit-year and project paid for and no query needs: a foreign key's own
index where a wider index leads with the same column and answers every lookup by it (the pages'
reads, Django's cascade deletes): web_project(disclosure_id) beside (disclosure_id, seq),
web_project(unit_id) beside the unique (unit_id, year, key), web_disclosure(unit_id) beside the
unique (unit_id, year). The constraints stay. Dropped by name (Django's names, the same on SQLite
and PostgreSQL) rather than by AlterField, which on SQLite copies the whole table and on PostgreSQL
drops and validates the foreign key again."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("web_disclosure_unit_id_7813b659", "web_disclosure", "unit_id"),
    ("web_project_disclosure_id_182f5c77", "web_project", "disclosure_id"),
    ("web_project_unit_id_cf7db6ce", "web_project", "unit_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0012_search_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
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
