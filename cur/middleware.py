from zoneinfo import ZoneInfo

from django.utils import timezone

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
