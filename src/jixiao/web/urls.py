import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from jixiao.web.api import api
from jixiao.web.views import cycle, exports, projects, review, search, units, upload

urlpatterns = [
    path("", units.units, name="units"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<int:unit_id>/", units.unit, name="unit"),
    path("units/<int:unit_id>/<int:year>/", units.unit_year, name="unit_year"),
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
        "projects/<int:project_id>/export/<str:kind>.<str:fmt>", exports.project_export, name="project_export"
    ),
    path(
        "projects/<int:project_id>/<str:transition>/", projects.project_transition, name="project_transition"
    ),
    path("monitoring/", cycle.monitoring_list, name="monitoring_list"),
    path("monitoring/<int:snapshot_id>/outcome/", cycle.snapshot_outcome, name="snapshot_outcome"),
    path("cycle/upload/", cycle.cycle_upload, name="cycle_upload"),
    path("search/", search.search, name="search"),
    path("review/", review.review_ranking, name="review_ranking"),
    path("review/rules/", review.review_rules, name="review_rules"),
    path("upload/", upload.upload, name="upload"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
if os.environ.get("JIXIAO_BENCH_PAGES") == "1":  # the benchmarks' floor page, never in production
    from jixiao.web.views import bench

    urlpatterns.append(path("bench/trivial/", bench.trivial, name="bench_trivial"))
