from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programs.demo import load_demo
from regions.models import Region


class Command(BaseCommand):
    help = (
        "Add the demo programs of the seed texts, demo accounts and progress reports (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even with DEBUG off (the demo accounts have a published password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _("Refusing to create demo accounts with DEBUG off; pass --allow-production.")
            )
        if not Region.objects.filter(code="3304").exists():
            raise CommandError(_("Load the regions first: python manage.py load_regions"))
        load_demo()
        self.stdout.write(_("Demo data loaded."))
