"""Open311 GeoReport v2 at /open311/v2/ (docs/open311.md): every resource with its format suffix, `.json` or
`.xml`; anything else under the prefix answers the spec's 404."""

from django.urls import re_path

from api.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.DiscoveryApi.as_view(), name="open311-discovery"),
    re_path(r"^services" + FMT, views.ServiceListApi.as_view(), name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, views.ServiceDefinitionApi.as_view(), name="open311-service"),
    re_path(r"^requests" + FMT, views.RequestCollectionApi.as_view(), name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FMT, views.RequestDetailApi.as_view(), name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, views.TokenApi.as_view(), name="open311-token"),
    re_path(r"^.*$", views.NotFoundApi.as_view(), name="open311-not-found"),
]
