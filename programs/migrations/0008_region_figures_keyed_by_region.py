"""RegionFigure, derived data rebuilt wholesale, loses what a rebuild paid for and nothing read:
the foreign-key constraints (Django still cascades deletions), the single-column indexes and the
`id` column. Its key becomes (region, indicator, year), the unique index the region page reads by.

Django cannot turn a column key into a composite one in place, so the table is made anew and
refilled with migration 0007's statements, in this migration's transaction (and so is the old table
when the migration is reversed).
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# 0007's frozen statements: the figures as the rules stood then, in SQL every engine runs.
fill = import_module("programs.migrations.0007_fill_region_figures").fill


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0007_fill_region_figures"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, fill),
        migrations.DeleteModel(name="RegionFigure"),
        migrations.CreateModel(
            name="RegionFigure",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "region",
                        "indicator",
                        "year",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programs.indicator",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("value", models.DecimalField(decimal_places=4, max_digits=18, null=True)),
                ("is_lower_bound", models.BooleanField(default=False)),
                ("approved_at", models.DateTimeField(null=True)),
                ("rollup", models.DecimalField(decimal_places=4, max_digits=18, null=True)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
