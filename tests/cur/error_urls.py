"""The site's URLs plus one view that fails — for the 500 page's tests only."""

from django.urls import path

from cur.urls import urlpatterns as site


def boom(request):
    raise RuntimeError("database is on fire")  # what the visitor must never read


urlpatterns = [path("boom/", boom), *site]
