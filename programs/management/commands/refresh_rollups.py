from django.core.management.base import BaseCommand

from programs.rollups import refresh_all


class Command(BaseCommand):
    help = "Rebuild the dashboards' precomputed figures from the approved progress reports."

    def handle(self, *args, **options):
        self.stdout.write(f"{refresh_all()} figures")
