from django.urls import path

from ratings import views

app_name = "ratings"
urlpatterns = [
    path("", views.index, name="index"),
    path("municipalities/", views.municipalities, name="municipalities"),
    path("agency/<int:pk>/", views.agency, name="agency"),
    path("methodology/", views.methodology, name="methodology"),
    path("export/", views.export, name="export"),
]
