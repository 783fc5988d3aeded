from django.urls import path

from reports.fasttrack import views as fast_track_views
from reports.weekly import views as note_views

app_name = "reports"
urlpatterns = [
    path("fast-tracks/", fast_track_views.index, name="fast_tracks"),
    path("notes/", note_views.index, name="notes"),
    path("notes/build/", note_views.build, name="note_build"),
    path("notes/<int:pk>/", note_views.detail, name="note"),
    path("notes/<int:pk>/edit/", note_views.edit, name="note_edit"),
    path("notes/<int:pk>/finalise/", note_views.finalise, name="note_finalise"),
    path("notes/<int:pk>/rebuild/", note_views.rebuild, name="note_rebuild"),
    path("notes/<int:pk>/chart/<str:name>.png", note_views.chart, name="note_chart"),
    path("notes/<int:pk>/note.<str:kind>", note_views.download, name="note_download"),
]
