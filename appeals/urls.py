from django.urls import path

from appeals.intake import views as intake_views
from appeals.problems import views as problem_views
from appeals.workspace import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("export.csv", views.appeal_export_csv, name="export_csv"),
    path("export.xlsx", views.appeal_export_xlsx, name="export_xlsx"),
    path("bulk/", views.appeals_bulk, name="bulk"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    # intake (issue 5): the staff form, file import, the quarantine
    path("intake/new/", intake_views.register, name="register"),
    path("import/", intake_views.imports, name="imports"),
    path("import/<int:pk>/", intake_views.import_detail, name="import_detail"),
    path("quarantine/", intake_views.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/", intake_views.quarantine_detail, name="quarantine_detail"),
    # problems: appeals about one thing in one place, across channels
    path("problems/", problem_views.problem_list, name="problems"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem"),
    path("problems/<int:pk>/merge/", problem_views.problem_merge, name="problem_merge"),
    path("problems/<int:pk>/split/", problem_views.problem_split, name="problem_split"),
    path("problems/<int:pk>/detach/<int:appeal_pk>/", problem_views.problem_detach, name="problem_detach"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/correct/", views.appeal_correct, name="correct"),
    path("<int:pk>/similar/", views.appeal_similar, name="similar"),
    path("<int:pk>/join/<int:other_pk>/", problem_views.problem_join, name="problem_join"),
    path("<int:pk>/<slug:action>/", views.appeal_action, name="action"),
]
