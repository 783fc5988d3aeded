from django.urls import path

from appeals.attachments import views as attachment_views
from appeals.intake import views as intake_views
from appeals.problems import views as problem_views
from appeals.workspace import agency_views, export_views, hint_views, views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("export.csv", views.appeal_export_csv, name="export_csv"),
    path("export.xlsx", views.appeal_export_xlsx, name="export_xlsx"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),  # a large export's progress
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("bulk/", views.appeals_bulk, name="bulk"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("agencies/suggest/", agency_views.agency_suggest, name="agency_suggest"),  # the body picker's JSON
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
    # files of the appeal and its answers, served only through the scope (appeals/attachments/views.py)
    path("<int:pk>/attachments/", attachment_views.attachments_upload, name="attachments_upload"),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/thumb/", attachment_views.attachment_thumb, name="attachment_thumb"),
    # the answer check while the executor types (before the catch-all action pattern below)
    path("<int:pk>/answer-hints/", hint_views.answer_hints, name="answer_hints"),
    path("<int:pk>/<slug:action>/", views.appeal_action, name="action"),
]
