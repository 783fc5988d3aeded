from django.urls import path

from appeals.workspace import api

urlpatterns = [
    path("appeals/", api.AppealCollectionApi.as_view(), name="api-appeal-list"),
    path("appeals/<int:pk>/", api.AppealDetailApi.as_view(), name="api-appeal-detail"),
]
