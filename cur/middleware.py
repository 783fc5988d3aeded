from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.cache import patch_cache_control

from cur.scoping import region_of


class RegionTimezoneMiddleware:
    """Show every time in the zone of the user's region (Europe/Samara, Europe/Moscow);
    the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        region = region_of(request.user)
        if region is not None:
            timezone.activate(ZoneInfo(region.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response the application makes: pages, htmx fragments,
    exports and the API may all carry personal data (152-ФЗ), and neither a shared proxy nor the browser's
    disk may keep them. One rule for all rather than a list of views, so a new page cannot forget it; the
    few public pages (login, verdict) have nothing worth caching. Static files are answered earlier by
    WhiteNoise, cached for long, and never reach this. A response of public reference data alone (the
    municipalities' OSM shapes) may say `response.private_max_age = seconds`: kept by the browser, never
    by a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "private_max_age", None):
            patch_cache_control(response, private=True, max_age=response.private_max_age)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response
