"""Where a citizen turns when the verdict page cannot help them: the public contacts of a centre.

A selector of the public pages: it reads only the centre's name and contacts, never anything of the
appeal beyond its territory.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from appeals.models import Appeal
from cur.models import Centre


def verdict_centre(*, appeal: Appeal | None) -> Centre | None:
    """The centre to contact about `appeal`: the МЦУ of its municipality when that one publishes a
    contact, else the ЦУР of its region. Without an appeal (a link that names none) — the ЦУР of this
    installation's region. None when no centre is set up."""
    if appeal is None:
        where = Q(level=Centre.Level.REGION, region__code=settings.CUR_REGION)
    else:
        where = Q(level=Centre.Level.REGION, region_id=appeal.region_id)
        if appeal.municipality_id:
            where |= Q(municipality_id=appeal.municipality_id)
    centres = list(Centre.objects.filter(where).only("level", "name", "short_name", "phone", "email", "address"))
    municipal = [c for c in centres if c.level == Centre.Level.MUNICIPAL and (c.phone or c.email or c.address)]
    regional = [c for c in centres if c.level == Centre.Level.REGION]
    return (municipal or regional or [None])[0]
