"""Fill the precomputed figures of a database that had approved reports before they existed."""

from django.db import migrations


def fill(apps, schema_editor):
    # The same two statements the nightly rebuild runs (plain SQL over the tables as they stand).
    from programs.rollups import OWN_SQL, ROLLUP_SQL

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_regionfigure")
        cursor.execute(OWN_SQL.format(scope=""))
        cursor.execute(ROLLUP_SQL.format(scope=""))


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_submitted_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
