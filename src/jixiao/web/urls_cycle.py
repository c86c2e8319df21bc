"""URLs of the monitoring and self-evaluation pages (included by `urls.py`)."""

from django.urls import path

from jixiao.web import views_cycle as v

urlpatterns = [
    path("projects/<int:project_id>/monitor/", v.project_monitor, name="project_monitor"),
    path("projects/<int:project_id>/selfeval/", v.project_selfeval, name="project_selfeval"),
    path("projects/<int:project_id>/export/<str:kind>.<str:fmt>", v.project_export, name="project_export"),
    path("monitoring/", v.monitoring_list, name="monitoring_list"),
    path("monitoring/<int:snapshot_id>/outcome/", v.snapshot_outcome, name="snapshot_outcome"),
    path("units/<int:unit_id>/<int:year>/export/<str:kind>.<str:fmt>", v.unit_export, name="unit_export"),
    path("units/<int:unit_id>/<int:year>/template/<str:kind>.xlsx", v.unit_template, name="unit_template"),
    path("cycle/upload/", v.cycle_upload, name="cycle_upload"),
]
