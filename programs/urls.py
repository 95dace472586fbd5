from django.urls import path

from regions import converters  # noqa: F401 (registers <code:…>)

from .views import catalog, entry, excel, jobs, report_list, reports, review

app_name = "programs"

urlpatterns = [
    path("my/", entry.home, name="home"),
    path("entry/<code:region_code>/<int:period_id>/", entry.grid_start, name="grid_start"),
    path("entry/<code:region_code>/<int:period_id>/<int:program_id>/", entry.grid, name="grid"),
    path(
        "entry/<code:region_code>/<int:period_id>/<int:program_id>/excel/",
        excel.template_download,
        name="excel_template",
    ),
    path(
        "entry/<code:region_code>/<int:period_id>/<int:program_id>/excel/upload/",
        excel.upload,
        name="excel_upload",
    ),
    path("review/", review.queue_index, name="review_index"),
    path("review/<int:period_id>/", review.queue, name="review"),
    path("reports/", report_list.report_list, name="report_list"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/evidence/", reports.evidence_upload, name="evidence_upload"),
    path("reports/<int:pk>/reopen/", reports.report_reopen, name="report_reopen"),
    path("evidence/<int:pk>/", reports.evidence_download, name="evidence"),
    path("periods/<int:pk>/reopen/", reports.period_reopen, name="period_reopen"),
    path("notifications/", reports.notifications, name="notifications"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/status/", jobs.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
    path("jobs/export/", jobs.export_start, name="export_start"),
    path("regions/<code:code>/year-report/", jobs.year_report_start, name="year_report_start"),
    path("catalog/import/", catalog.import_upload, name="catalog_import"),
    path("catalog/import/template/", catalog.import_template, name="catalog_import_template"),
]
