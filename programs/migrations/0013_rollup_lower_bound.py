"""Roll-ups' lower-bound flag. The figures of an existing database get it, and their roll-ups
through every level of the tree, at the next `refresh_all()` (nightly, or
`manage.py refresh_rollups`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0012_corrections_from_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="regionfigure",
            name="rollup_is_lower_bound",
            field=models.BooleanField(default=False),
        ),
    ]
