import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from bench import measures


class Command(BaseCommand):
    help = (
        "Measure the province-scale figures P1–P12 of docs/performance.md on a generated province "
        "(PostgreSQL only; nothing is left changed). Slow: about 15 minutes at scale 1, a few "
        "seconds with --quick on a tiny province."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--repeat", type=int, default=5, help="Repetitions per figure; the median is kept."
        )
        parser.add_argument(
            "--year", type=int, help="The year of the pages (default: the latest complete year)."
        )
        parser.add_argument(
            "--region",
            default=measures.DEFAULT_REGION,
            help="Code of the region page to measure (default: the generated first city).",
        )
        parser.add_argument(
            "--large-database-url",
            help="postgres://… of a database holding the 10× province, for P1 and P4.",
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Scale the slow parts down (P7: 5 s of imports; P11: 50k and 1k row exports).",
        )
        # Internal: the child processes of P1/P4 (another database) and P11 (fresh memory).
        parser.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument(
            "--export-child", nargs=3, metavar=("REGION", "FROM", "TO"), help=argparse.SUPPRESS
        )

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be 1 or more.")
        try:
            measures.require_postgresql()
            if options["export_child"]:
                code, first, last = options["export_child"]
                result = measures.export_child(code=code, year_from=int(first), year_to=int(last))
            elif options["page_only"]:
                result = measures.page_only(
                    region=options["region"],
                    year=options["year"] or measures.default_year(),
                    repeat=options["repeat"],
                )
            else:
                # Progress goes to stderr, so that stdout holds only the JSON.
                log = self.stderr.write if options["verbosity"] > 0 else None
                result = measures.run(
                    repeat=options["repeat"],
                    year=options["year"],
                    region=options["region"],
                    large_database_url=options["large_database_url"],
                    quick=options["quick"],
                    log=log or (lambda message: None),
                )
        except measures.BenchRefused as error:
            raise CommandError(str(error)) from error
        if options["json"] or options["page_only"] or options["export_child"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            self.stdout.write(measures.summary_text(result))
