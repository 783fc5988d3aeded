"""Everything machines talk to: the REST API v1, its OpenAPI description and pages."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from api.docs import RedocPage, SwaggerPage, guide
from api.errors import api_not_found

urlpatterns = [
    path("api/v1/", include("api.v1.urls")),
    path("open311/v2/", include("api.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerPage.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocPage.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/guide/", guide, name="api-guide"),
    path("api/guide/<slug:name>/", guide, name="api-guide-page"),
    re_path(r"^api/", api_not_found),  # last: whatever else under /api/ is a JSON 404
]
