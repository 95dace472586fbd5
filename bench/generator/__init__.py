"""A synthetic province for benchmarks: `manage.py generate_province --scale 1 --seed 1`.

What it builds, under the reserved province code 90 (path "90/"; the National Bureau of
Statistics' province codes are 11–65, so it never clashes with `load_regions`):

- regions: 11 cities (9001…), 100 counties (900101…), 1,300 townships (900101001…), plus
  functional zones: one county-level zone under every other city (9001Z01) and one township-level
  zone under every tenth county (900101Z01), alternately counted in their parent or not;
- a catalog of 60 shared indicators (codes "GEN90-…") in 5 province programs of 4 plans each,
  2–3 measures per plan, every kind, time nature, direction, comparator and roll-up rule the
  models allow; 52 indicators are reported down to townships, 8 (ranks, milestones, an amount in
  100M yuan) by counties and above only;
- a reporter per region and a reviewer (with sub-regions) per province, city and county
  ("gen90-…" accounts without a usable password);
- 10 years × 4 quarters of progress reports (≈3.0 million at scale 1), all approved except the
  latest quarter, where some regions are still in draft, submitted, or had figures returned.
  Flows are per quarter with a seasonal pattern and yearly growth; stocks are levels at quarter
  end that grow (and never fall, for higher-is-better counts); a parent's own figure follows its
  children's by the indicator's roll-up rule (zones counted in their parent left out), plus a
  little of its own; ranks are places among siblings; milestones switch from 0 to 1 once done;
- yearly targets (on the year periods): every indicator for counties and above, 16 headline
  indicators for townships, near the actual figure so some are met and some are not.

Scale. `--scale 1` is the shape above. Above 1 the number of years stays 10 and the regions grow:
counties by √scale and townships by scale, so `--scale 10` has 11 cities, 316 counties and 13,000
townships (≈28 million values). Below 1 both the years (by scale^⅓) and the tree shrink, so
`--scale 0.005` is 3 cities, 9 counties, 32 townships and 2 years: a test fixture.

The same seed and last year give the same data: names, values, states and dates (not the
database ids; and in a quarter not yet over, the dates are spread between its opening and now).
The latest quarter is Q4 of `last_year`: by default the current year from October on, else the
year before. Reporting periods are global: existing ones are reused by (kind, year, number).

Bulk paths: on PostgreSQL the progress reports and targets go in by COPY, with the foreign keys
from and to those two tables dropped for the load and added back (checked) before the commit,
which locks the tables for the run; elsewhere by `executemany` (bulk_create would overwrite the
reports' created/updated times with now); the small tables by `bulk_create`. No simple-history
rows are written for the bulk data, and no model `save()`/`full_clean()` runs: the generator
keeps the models' constraints and clean() rules itself (the tests check them). Everything runs
in one transaction: a failure leaves no half province, and `--clear` then regenerating works.

Where each part lives: `shape` (the reserved codes, the scale), `catalog` (programs, plans and the
indicator table), `tree` (the regions), `values` (figures and targets), `saving` (the small tables:
periods, regions, officials, catalog), `reports` (the rows of the progress reports and targets),
`bulk` (COPY, executemany, the suspended foreign keys), `clearing` (`--clear`) and `province`
(`generate_province`, the one transaction).
"""

from .bulk import copy_rows, copy_text
from .clearing import clear_province, province_exists
from .province import GenerationResult, ProvinceExists, generate_province
from .shape import (
    INDICATOR_PREFIX,
    MAX_SCALE,
    PROVINCE_CODE,
    PROVINCE_PATH,
    USERNAME_PREFIX,
    Shape,
    default_last_year,
    province_shape,
)

__all__ = [
    "INDICATOR_PREFIX",
    "MAX_SCALE",
    "PROVINCE_CODE",
    "PROVINCE_PATH",
    "USERNAME_PREFIX",
    "GenerationResult",
    "ProvinceExists",
    "Shape",
    "clear_province",
    "copy_rows",
    "copy_text",
    "default_last_year",
    "generate_province",
    "province_exists",
    "province_shape",
]
