from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("export.csv", views.appeal_export_csv, name="export_csv"),
    path("bulk/", views.appeals_bulk, name="bulk"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/correct/", views.appeal_correct, name="correct"),
    path("<int:pk>/<slug:action>/", views.appeal_action, name="action"),
]
