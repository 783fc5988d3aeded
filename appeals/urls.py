from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("export.csv", views.appeal_export_csv, name="export_csv"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/correct/", views.appeal_correct, name="correct"),
    path("<int:pk>/<slug:action>/", views.appeal_action, name="action"),
]
