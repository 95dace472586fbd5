"""Forms of the officials' pages: each validates at the field, in the user's language."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import IndicatorKind
from .models import check_value_fits
from .selectors import EntryRow
from .services.reports import reopening_until_problem
from .text import has_visible_text

MILESTONE_CHOICES = [("", "—"), ("1", _("Done")), ("0", _("Not done"))]


class EntryRowForm(forms.Form):
    """One indicator's input in the data-entry grid."""

    value = forms.DecimalField(label=_("value"), required=False, max_digits=18, decimal_places=4)
    is_lower_bound = forms.BooleanField(label=_("lower bound"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    selected = forms.BooleanField(label=_("select"), required=False)

    def __init__(self, *args, row: EntryRow, **kwargs):
        self.row = row
        report = row.report
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "value": format(report.value.normalize(), "f"),
                "is_lower_bound": report.is_lower_bound,
                "note": report.note,
                "version": report.version,
            }
        super().__init__(*args, prefix=f"i{row.indicator.pk}", **kwargs)
        kind = row.indicator.kind
        value = self.fields["value"]
        value.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "entry-value"}
        )
        if kind in (IndicatorKind.COUNT, IndicatorKind.RANK):
            value.widget.attrs["inputmode"] = "numeric"
        if kind == IndicatorKind.MILESTONE:
            self.fields["value"] = forms.TypedChoiceField(
                label=_("value"),
                choices=MILESTONE_CHOICES,
                coerce=Decimal,
                empty_value=None,
                required=False,
            )

    def clean_value(self):
        value = self.cleaned_data.get("value")
        try:
            check_value_fits(self.row.indicator, value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"]) from None
        return value

    @property
    def editable(self) -> bool:
        report = self.row.report
        return report is None or report.state in ("draft", "returned")


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea)


class VisibleTextField(forms.CharField):
    """A required text that must show something: whitespace or zero-width characters alone are
    refused like an empty field."""

    def validate(self, value):
        super().validate(value)
        if self.required and not has_visible_text(value):
            raise ValidationError(self.error_messages["required"], code="required")


class ReasonForm(forms.Form):
    reason = VisibleTextField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PeriodReopenForm(forms.Form):
    region_code = forms.CharField(label=_("region code"), max_length=20)
    reason = VisibleTextField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateTimeField(
        label=_("open until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_until(self):
        # The rule is the service's (services.period_reopen checks it again).
        until = self.cleaned_data["until"]
        problem = reopening_until_problem(until)
        if problem:
            raise ValidationError(problem)
        return until


EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What each kind of file starts with, so a renamed executable is not taken for a PDF.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file"))
    is_public = forms.BooleanField(label=_("public"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in EVIDENCE_TYPES:
            raise ValidationError(
                _("Upload a PDF, an image (PNG, JPEG) or an Office document (Word, Excel).")
            )
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            )
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(MAGIC[suffix]):
            raise ValidationError(_("The file's content does not match its type."))
        upload.detected_type = EVIDENCE_TYPES[suffix]
        return upload


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


YEARS = (2000, 2100)


class YearReportForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=YEARS[0], max_value=YEARS[1])


class ExportForm(forms.Form):
    """A region subtree and a span of years; `regions` is the choice the starter may see."""

    region = forms.ModelChoiceField(
        label=_("region"), queryset=None, to_field_name="code", empty_label=None
    )
    year_from = forms.IntegerField(label=_("from year"), min_value=YEARS[0], max_value=YEARS[1])
    year_to = forms.IntegerField(label=_("to year"), min_value=YEARS[0], max_value=YEARS[1])

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year comes before the first."))
        elif first and last and last - first >= 20:
            self.add_error("year_to", _("Export at most 20 years at a time."))
        return data
