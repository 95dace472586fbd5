from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from bench.generator import (
    MAX_SCALE,
    PROVINCE_CODE,
    ProvinceExists,
    generate_province,
    province_shape,
)


class Command(BaseCommand):
    help = (
        f"Generate a synthetic province (region code {PROVINCE_CODE}) for benchmarks: about 1,400 "
        "regions, 60 indicators in 5 programs, yearly targets and 10 years of quarterly progress "
        "reports (about 3 million at scale 1). See bench/generator/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=f"Size: 1 is a province of ~1,400 regions; 10 is ten times the volume; fractions "
            f"(0.01) make test data. At most {MAX_SCALE}.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same figures.")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Remove a previously generated province (regions, catalog, accounts) first.",
        )
        parser.add_argument(
            "--last-year",
            type=int,
            help="The year whose Q4 is the latest period (default: this year from October on, "
            "else last year).",
        )

    def handle(self, *args, scale, seed, clear, last_year, verbosity, **options):
        try:
            province_shape(scale)
        except ValueError as error:
            raise CommandError(str(error)) from error
        log = self.stdout.write if verbosity > 1 else None
        try:
            result = generate_province(
                scale=scale, seed=seed, last_year=last_year, clear=clear, log=log
            )
        except ProvinceExists as error:
            raise CommandError(
                "A generated province exists already: pass --clear to replace it."
            ) from error
        except ProtectedError as error:
            raise CommandError(
                f"The generated province cannot be cleared, something else uses it: {error}"
            ) from error
        regions = ", ".join(f"{count} {kind}" for kind, count in result.regions.items())
        states = ", ".join(f"{count} {state}" for state, count in result.reports.items())
        self.stdout.write(
            f"Generated province {PROVINCE_CODE} (scale {scale:g}, seed {seed}, "
            f"{result.shape.years} years):\n"
            f"  regions: {sum(result.regions.values())} ({regions})\n"
            f"  catalog: {result.indicators} indicators, {result.programs} programs, "
            f"{result.plans} plans\n"
            f"  targets: {result.targets}\n"
            f"  reports: {result.report_count} ({states}) by {result.method}\n"
            f"  {result.seconds:.1f} s"
        )
