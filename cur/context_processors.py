from django.conf import settings

from cur.notifications import unread_count
from cur.permissions import can_take_in
from cur.scoping import membership_of, reads_documents, region_of
from municipalities.models import Region


def workspace(request) -> dict:
    """The heading of every page: region, the user's role and centre or agency."""
    # A request refused before the authentication middleware ran (a 400 for a foreign Host) has no
    # user; its error page still renders.
    user = getattr(request, "user", None)
    membership = membership_of(user)
    region = region_of(user)
    if region is None:
        region = Region.objects.filter(code=settings.CUR_REGION).first()
    return {
        "region_name": region.name if region else "",
        "current_role": membership.get_role_display() if membership else "",
        "current_centre": str(membership.centre or membership.agency) if membership else "",
        "membership": membership,
        "can_take_in": can_take_in(user) if user is not None else False,
        # the centres' documents (reports/): roles of a centre that read the whole territory
        "can_read_documents": user is not None and reads_documents(user),
        "unread_notifications": unread_count(user),
    }
