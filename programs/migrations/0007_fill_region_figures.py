"""Fill the precomputed figures of a database that had approved reports before they existed.

The statements are the roll-up rules as they stood when this migration was written, frozen here:
a later change to programs/rollups.py must not change what an old database is migrated with.
Migration 0008 runs them too (plain SQL that PostgreSQL and any SQLite run).
"""

from django.db import migrations

OWN_FIGURES = """
INSERT INTO programs_regionfigure (region_id, indicator_id, year, value, is_lower_bound, approved_at)
WITH approved AS (
    SELECT r.region_id, r.indicator_id, p.year, p.number, r.value, r.reviewed_at,
           CASE WHEN r.is_lower_bound THEN 1 ELSE 0 END AS lower_bound,
           i.time_nature,
           CASE p.kind WHEN 'year' THEN 0 WHEN 'half' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END
               AS grain,
           MIN(CASE p.kind WHEN 'year' THEN 0 WHEN 'half' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END)
               OVER (PARTITION BY r.region_id, r.indicator_id, p.year) AS coarsest
    FROM programs_progressreport r
    JOIN programs_reportingperiod p ON p.id = r.period_id
    JOIN programs_indicator i ON i.id = r.indicator_id
    WHERE r.state = 'approved'
), used AS (
    SELECT approved.*, ROW_NUMBER() OVER (
        PARTITION BY region_id, indicator_id, year ORDER BY number DESC
    ) AS from_last
    FROM approved WHERE grain = coarsest
)
SELECT region_id, indicator_id, year,
       CASE WHEN MAX(time_nature) = 'stock' THEN MAX(CASE WHEN from_last = 1 THEN value END)
            ELSE SUM(value) END AS value,
       MAX(lower_bound) = 1 AS is_lower_bound, MAX(reviewed_at) AS approved_at
FROM used
GROUP BY region_id, indicator_id, year
"""

ROLLUPS = """
INSERT INTO programs_regionfigure (region_id, indicator_id, year, value, is_lower_bound, approved_at, rollup)
SELECT region_id, indicator_id, year, NULL, FALSE, NULL, rollup FROM (
SELECT child.parent_id AS region_id, f.indicator_id, f.year,
       CASE i.rollup WHEN 'sum' THEN SUM(f.value) WHEN 'mean' THEN AVG(f.value)
                     WHEN 'max' THEN MAX(f.value) WHEN 'min' THEN MIN(f.value) END AS rollup
FROM programs_regionfigure f
JOIN regions_region child ON child.id = f.region_id
JOIN programs_indicator i ON i.id = f.indicator_id
WHERE child.parent_id IS NOT NULL AND NOT child.counted_in_parent AND f.value IS NOT NULL
      AND i.rollup <> 'none'
GROUP BY child.parent_id, f.indicator_id, f.year, i.rollup
) rolled WHERE TRUE
ON CONFLICT (region_id, indicator_id, year) DO UPDATE SET rollup = excluded.rollup
"""


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_regionfigure")
        cursor.execute(OWN_FIGURES)
        cursor.execute(ROLLUPS)


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_submitted_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
