import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from jixiao.web.api import api
from jixiao.web.views import corpus, cycle, exports, favicon, jobs, projects, review, search, units, upload
from jixiao.web.views.monitoring_check import monitoring_check
from jixiao.web.views.selfeval_check import selfeval_check, selfeval_check_export

urlpatterns = [
    path("", units.home, name="home"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("units/", units.units, name="units"),
    path(
        "login/", auth_views.LoginView.as_view(template_name="web/login.html", next_page="home"), name="login"
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<int:unit_id>/", units.unit, name="unit"),
    path("units/<int:unit_id>/<int:year>/", units.unit_year, name="unit_year"),
    path("units/<int:unit_id>/projects/new/", units.project_new, name="project_new"),
    path(
        "units/<int:unit_id>/<int:year>/export/<str:kind>.<str:fmt>", exports.unit_export, name="unit_export"
    ),
    path(
        "units/<int:unit_id>/<int:year>/template/<str:kind>.xlsx", exports.unit_template, name="unit_template"
    ),
    path("projects/<int:project_id>/", projects.project, name="project"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    # monitoring, self-evaluation and downloads come before the workflow transitions' catch-all
    path("projects/<int:project_id>/monitor/", cycle.project_monitor, name="project_monitor"),
    path("projects/<int:project_id>/selfeval/", cycle.project_selfeval, name="project_selfeval"),
    path(
        "projects/<int:project_id>/selfeval/publish/",
        cycle.project_selfeval_publish,
        name="project_selfeval_publish",
    ),
    path(
        "projects/<int:project_id>/selfeval/withdraw/",
        cycle.project_selfeval_withdraw,
        name="project_selfeval_withdraw",
    ),
    path(
        "projects/<int:project_id>/export/<str:kind>.<str:fmt>", exports.project_export, name="project_export"
    ),
    path("projects/<int:project_id>/years/", corpus.project_years, name="project_years"),
    path("projects/<int:project_id>/delete/", projects.project_delete, name="project_delete"),
    path(
        "projects/<int:project_id>/<str:transition>/", projects.project_transition, name="project_transition"
    ),
    path("compare/<int:indicator_id>/", corpus.compare, name="compare"),
    path("library/", corpus.library, name="library"),
    path("public/", corpus.public_home, name="public_home"),
    path("public/units/<int:unit_id>/<int:year>/", corpus.public_unit_year, name="public_unit_year"),
    path("public/projects/<int:project_id>/", corpus.public_project, name="public_project"),
    path("public/search/", corpus.public_search, name="public_search"),
    path("public/compare/<int:indicator_id>/", corpus.public_compare, name="public_compare"),
    path("public/library/", corpus.public_library, name="public_library"),
    path("monitoring/", cycle.monitoring_list, name="monitoring_list"),
    path("monitoring/<int:snapshot_id>/outcome/", cycle.snapshot_outcome, name="snapshot_outcome"),
    path("selfeval/", cycle.selfeval_list, name="selfeval_list"),
    path("cycle/upload/", cycle.cycle_upload, name="cycle_upload"),
    path("selfeval/check/", selfeval_check, name="selfeval_check"),
    path("selfeval/check/export.xlsx", selfeval_check_export, name="selfeval_check_export"),
    path("monitoring/check/", monitoring_check, name="monitoring_check"),
    path("search/", search.search, name="search"),
    path("search/export.xlsx", search.search_export, name="search_export"),
    path("review/", review.review_ranking, name="review_ranking"),
    path("review/rules/", review.review_rules, name="review_rules"),
    path("upload/", upload.upload, name="upload"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/review/", jobs.review_start, name="review_start"),
    path("jobs/<int:job_id>/", jobs.job_page, name="job"),
    path("jobs/<int:job_id>/status", jobs.job_status_json, name="job_status"),
    path("jobs/<int:job_id>/download", jobs.job_download, name="job_download"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# errors in Chinese (JSON under /api/): jixiao.web.errors
handler400 = "jixiao.web.errors.bad_request"
handler403 = "jixiao.web.errors.forbidden"
handler404 = "jixiao.web.errors.not_found"
handler500 = "jixiao.web.errors.server_error"

if os.environ.get("JIXIAO_BENCH_PAGES") == "1":  # the benchmarks' floor page, never in production
    from jixiao.web.views import bench

    urlpatterns.append(path("bench/trivial/", bench.trivial, name="bench_trivial"))
