"""The province-scale benchmark behind `manage.py bench --json` (docs/performance.md).

Each figure is a ratio of two times (or counts) measured in the same run, the median of several
repetitions, so that it says how close the app stays to a floor whatever the machine:

- P1  SQL queries of the region page at 10× ÷ at 1× (the 10× province is another database,
      measured by a child process of this command);
- P2  uncached region page ÷ RAW_PAGE_SQL, one statement computing the page's figures from the
      progress reports (what PostgreSQL alone needs without the precomputed table);
- P3  cached region page ÷ a trivial Django view (`pages.trivial`, through the same middleware);
- P4  uncached region page time at 10× ÷ at 1×;
- P5  `rollups.refresh_all()` ÷ rollups' one INSERT … SELECT run alone into an unindexed table
      (`single_statement_refresh_sql`): the same rows without the lock, delete and key;
- P7  importing 100k values through the bulk API (POST /api/v1/progress/bulk/, a few thousand
      items a request, per value) ÷ PostgreSQL COPY of the same rows into the progress table (per
      value); the Excel upload path (parse_upload + apply_changes) is timed too, for information;
- P8  last ÷ first page of the officials' progress list (`programs:report_list`);
- P11 peak memory (max RSS) of `write_export` of ~1M rows ÷ of ~10k rows, each in a fresh process;
- P12 seconds from `services.report_approve` to the new value on the anonymous region page.

Nothing is left changed: writes happen in transactions that are rolled back, except P12's approval,
which must commit to be seen; it is then undone (the report's fields, its history rows, the
notices and the figures are restored). Only sequences advance. Pages go through Django's test
Client (the whole middleware stack, no network); uncached means the public data version was bumped
just before, as an approval does. See docs/performance.md for how to read and reproduce the figures.

Where each part lives: `common` (goals, a figure's entry, rolled-back transactions, child
processes), `facts` (machine and database), `pages` (P1–P4), `refresh` (P5), `importing` (P7),
`listing` (P8), `exports` (P11), `approval` (P12), `results` (the figures from the measurements,
and as text) and `run` (the whole run, and a child process's page figures).
"""

from .common import (
    DEFAULT_REGION,
    BenchRefused,
    database_url,
    default_year,
    figure,
    require_postgresql,
)
from .exports import export_child
from .results import summary_text
from .run import page_only, run

__all__ = [
    "DEFAULT_REGION",
    "BenchRefused",
    "database_url",
    "default_year",
    "export_child",
    "figure",
    "page_only",
    "require_postgresql",
    "run",
    "summary_text",
]
