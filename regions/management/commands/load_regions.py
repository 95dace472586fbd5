from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from regions.loading import load_divisions


class Command(BaseCommand):
    help = "Load provinces, cities and counties (and townships with --townships); safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument(
            "--townships", action="store_true", help="Also load the ~41,000 townships."
        )

    def handle(self, *args, townships=False, **options):
        result = load_divisions(townships=townships)
        self.stdout.write(
            _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % vars(result)
        )
