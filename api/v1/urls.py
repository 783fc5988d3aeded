"""/api/v1/: one address per resource, one APIView per operation (an address serving GET and POST joins two)."""

from django.urls import path

from api.v1 import appeals, ratings

urlpatterns = [
    path("appeals/", appeals.AppealCollectionApi.as_view(), name="api-appeal-list"),
    path("appeals/<int:pk>/", appeals.AppealDetailApi.as_view(), name="api-appeal-detail"),
    path("ratings/", ratings.RatingApi.as_view(), name="api-ratings"),
]
