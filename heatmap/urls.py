from django.urls import path

from heatmap import views

app_name = "heatmap"
urlpatterns = [path("", views.index, name="index")]
