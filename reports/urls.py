from django.urls import path
from django.views.generic import RedirectView

from reports.fasttrack import views as fast_track_views
from reports.indicators import views as indicator_views
from reports.roadmaps import views as roadmap_views
from reports.weekly import views as note_views

app_name = "reports"
urlpatterns = [
    # «Документы» opens on the weekly notes; /reports/ typed by hand goes there too (each page checks its rights)
    path("", RedirectView.as_view(pattern_name="reports:notes"), name="index"),
    path("fast-tracks/", fast_track_views.index, name="fast_tracks"),
    path("notes/", note_views.index, name="notes"),
    path("notes/build/", note_views.build, name="note_build"),
    path("notes/<int:pk>/", note_views.detail, name="note"),
    path("notes/<int:pk>/edit/", note_views.edit, name="note_edit"),
    path("notes/<int:pk>/finalise/", note_views.finalise, name="note_finalise"),
    path("notes/<int:pk>/rebuild/", note_views.rebuild, name="note_rebuild"),
    path("notes/<int:pk>/chart/<str:name>.png", note_views.chart, name="note_chart"),
    path("notes/<int:pk>/note.<str:kind>", note_views.download, name="note_download"),
    path("indicators/", indicator_views.index, name="indicators"),
    path("indicators/open/", indicator_views.open_report, name="indicator_open"),
    path("indicators/consolidated.xlsx", indicator_views.consolidated_export, name="indicators_export"),
    path("indicators/catalogue/", indicator_views.catalogue, name="indicator_catalogue"),
    path("indicators/catalogue/import/", indicator_views.catalogue_import, name="indicator_import"),
    path("indicators/<int:pk>/", indicator_views.detail, name="indicator_report"),
    path("indicators/<int:pk>/save/", indicator_views.save, name="indicator_save"),
    path("indicators/<int:pk>/recompute/", indicator_views.recompute, name="indicator_recompute"),
    path("indicators/<int:pk>/accept/", indicator_views.accept, name="indicator_accept"),
    path("indicators/<int:pk>/return/", indicator_views.return_report, name="indicator_return"),
    path("indicators/<int:pk>/report.<str:kind>", indicator_views.export, name="indicator_export"),
    path("roadmaps/", roadmap_views.index, name="roadmaps"),
    path("roadmaps/new/", roadmap_views.new, name="roadmap_new"),
    path("roadmaps/<int:pk>/", roadmap_views.detail, name="roadmap"),
    path("roadmaps/<int:pk>/measures/", roadmap_views.measure_add, name="roadmap_measure_add"),
    path("roadmaps/<int:pk>/measures/<int:measure_pk>/done/", roadmap_views.measure_done, name="roadmap_measure_done"),
    path("roadmaps/<int:pk>/approve/", roadmap_views.approve, name="roadmap_approve"),
    path("roadmaps/<int:pk>/close/", roadmap_views.close, name="roadmap_close"),
    path("roadmaps/<int:pk>/roadmap.<str:kind>", roadmap_views.export, name="roadmap_export"),
]
