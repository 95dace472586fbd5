"""How much of the year a figure covers (`through`, `rollup_through`, `rollup_mixed`). The
figures of an existing database get them, through every level of the tree, at the next
`refresh_all()` (nightly, or `manage.py refresh_rollups`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_rollup_lower_bound"),
    ]

    operations = [
        migrations.AddField(
            model_name="regionfigure",
            name="through",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="regionfigure",
            name="rollup_through",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="regionfigure",
            name="rollup_mixed",
            field=models.BooleanField(default=False),
        ),
    ]
