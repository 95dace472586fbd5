"""Corrections made before the correction log existed, read back from the figures' history.

In the history a reopening is the row after an approved one, in state draft, holding the reason
as its review comment (and change reason); the next approved row is the re-approval. A
re-approval with another value or lower-bound flag is a completed correction; a figure still
reopened when this runs gets its pending row, so that its next approval is judged like any.
Only figures with a reopening are read (a draft row with a change reason: saves have none).
"""

from django.db import migrations

APPROVED, DRAFT = "approved", "draft"


def backfill(apps, schema_editor):
    Historical = apps.get_model("programs", "HistoricalProgressReport")
    Correction = apps.get_model("programs", "Correction")
    Report = apps.get_model("programs", "ProgressReport")
    reopened = (
        Historical.objects.filter(state=DRAFT, history_change_reason__isnull=False)
        .values_list("id", flat=True)
        .distinct()
    )
    current = dict(Report.objects.filter(pk__in=reopened).values_list("pk", "state"))
    rows = []
    for report_id, state in current.items():
        history = Historical.objects.filter(id=report_id).order_by("history_date", "history_id")
        previous_state, pending = None, None
        for row in history.iterator():
            if row.state == APPROVED and previous_state != APPROVED:
                if pending is not None and (pending.old_value, pending.old_is_lower_bound) != (
                    row.value,
                    row.is_lower_bound,
                ):
                    pending.new_value, pending.new_is_lower_bound = row.value, row.is_lower_bound
                    pending.approved_at = row.reviewed_at or row.history_date
                    rows.append(pending)
                pending = None
            elif previous_state == APPROVED and row.state == DRAFT:
                pending = Correction(
                    report_id=report_id,
                    old_value=row.value,
                    old_is_lower_bound=row.is_lower_bound,
                    reason=row.review_comment or row.history_change_reason or "",
                    reopened_at=row.history_date,
                    reopened_by_id=row.history_user_id,
                )
            previous_state = row.state
        if pending is not None and state != APPROVED:
            rows.append(pending)
    Correction.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("programs", "0011_corrections")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
