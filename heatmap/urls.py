from django.urls import path

from heatmap.map import views as map_views

app_name = "heatmap"
urlpatterns = [
    path("", map_views.index, name="index"),
    path("m/<int:pk>/", map_views.municipality, name="municipality"),
    path("geo.json", map_views.geo, name="geo"),
]
