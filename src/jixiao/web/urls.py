from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jixiao.web import views, views_review
from jixiao.web.api import api

urlpatterns = [
    path("", include("jixiao.web.urls_cycle")),  # monitoring, self-evaluation (before the transitions)
    path("", views.units, name="units"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/<int:year>/", views.unit_year, name="unit_year"),
    path("projects/<int:project_id>/", views.project, name="project"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/<str:transition>/", views.project_transition, name="project_transition"),
    path("search/", views.search, name="search"),
    path("review/", views_review.review_ranking, name="review_ranking"),
    path("review/rules/", views_review.review_rules, name="review_rules"),
    path("upload/", views.upload, name="upload"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
