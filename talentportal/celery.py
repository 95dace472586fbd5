"""The Celery application (the standard Django recipe), configured from settings CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentportal.settings")

app = Celery("talentportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
