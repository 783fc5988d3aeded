from django.urls import path

from ratings import api

urlpatterns = [path("ratings/", api.RatingApi.as_view(), name="api-ratings")]
