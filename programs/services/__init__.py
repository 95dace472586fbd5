"""State changes: every write of the product goes through a function here (HackSoft style:
keyword-only, typed, atomic, access-checked, side effects on commit).

reports: one figure's save / submit / approve / return / reopen, a period's reopening, evidence ·
bulk: many drafts at once · notices: notices and their e-mails · jobs: starting a user's job
(import it as `programs.services.jobs`; it is not re-exported here, since it enqueues the job
runners, which themselves use these services).
"""

from .bulk import BulkResult, Entry, ItemError, ItemErrors, report_save_many
from .notices import notices_read, notify
from .reports import (
    BIG_CHANGE_FACTOR,
    TRANSITIONS,
    Change,
    ConflictError,
    big_change,
    entry_open,
    evidence_add,
    last_year_value,
    period_reopen,
    report_approve,
    report_reopen,
    report_return,
    report_save,
    report_submit,
    review_open,
)

__all__ = [
    "BIG_CHANGE_FACTOR",
    "TRANSITIONS",
    "BulkResult",
    "Change",
    "ConflictError",
    "Entry",
    "ItemError",
    "ItemErrors",
    "big_change",
    "entry_open",
    "evidence_add",
    "last_year_value",
    "notices_read",
    "notify",
    "period_reopen",
    "report_approve",
    "report_reopen",
    "report_return",
    "report_save",
    "report_save_many",
    "report_submit",
    "review_open",
]
