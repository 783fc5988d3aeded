from django.urls import path

from heatmap.conflicts import views as conflict_views
from heatmap.dashboard import views as dashboard_views
from heatmap.map import views as map_views
from heatmap.slices import views as slice_views

app_name = "heatmap"
urlpatterns = [
    path("", map_views.index, name="index"),
    path("m/<int:pk>/", map_views.municipality, name="municipality"),
    path("geo.json", map_views.geo, name="geo"),
    path("dashboard/", dashboard_views.index, name="dashboard"),
    path("slices/", slice_views.index, name="slices"),
    path("slices/export/", slice_views.export, name="slice_export"),
    path("slices/save/", slice_views.save, name="slice_save"),
    path("situations/", conflict_views.index, name="conflicts"),
    path("situations/<int:pk>/", conflict_views.detail, name="situation"),
    path("situations/<int:pk>/move/", conflict_views.move, name="situation_move"),
]
