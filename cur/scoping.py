"""Data scoping — the ONE place that decides what a user may see.

Every selector, view, API endpoint and export passes its queryset through these functions:
- ЦУР roles see their whole region;
- МЦУ roles see their municipality only;
- a руководитель отраслевого блока sees only the sectors of their block, inside their centre's territory;
- an исполнитель sees only what is assigned to their agency;
- a user with no role sees nothing (a superuser sees everything).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cur.models import Centre, Membership

Role = Membership.Role

# 152-ФЗ: roles that work with the citizen directly see the name and contacts; others see them masked.
PERSONAL_DATA_ROLES = {Role.HEAD, Role.IM_POS_OFFICER, Role.OPERATOR, Role.EXECUTOR}


def membership_of(user) -> Membership | None:
    """The user's membership with its centre, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_cur_membership"):
        user._cur_membership = (
            Membership.objects.select_related("centre", "agency").prefetch_related("sectors")
            .filter(user=user).first()
        )
    return user._cur_membership


def scope_appeals(qs: QuerySet, user) -> QuerySet:
    """Restrict a queryset of Appeal (or of a model with the same territory fields) to the user."""
    if getattr(user, "is_superuser", False):
        return qs
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    if membership.role == Role.EXECUTOR:
        return qs.filter(agency_id=membership.agency_id)
    centre = membership.centre
    qs = qs.filter(region_id=centre.region_id)
    if centre.level == Centre.Level.MUNICIPAL:
        qs = qs.filter(municipality_id=centre.municipality_id)
    if membership.role == Role.SECTOR_HEAD:
        qs = qs.filter(sector_id__in=[s.pk for s in membership.sectors.all()])
    return qs


def scope_municipalities(qs: QuerySet, user) -> QuerySet:
    """Municipalities the user works with (filters, heat map rows)."""
    if getattr(user, "is_superuser", False):
        return qs
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    if membership.role == Role.EXECUTOR:
        agency = membership.agency
        qs = qs.filter(region_id=agency.region_id)
        return qs.filter(pk=agency.municipality_id) if agency.municipality_id else qs
    centre = membership.centre
    if centre.level == Centre.Level.MUNICIPAL:
        return qs.filter(pk=centre.municipality_id)
    return qs.filter(region_id=centre.region_id)


def scope_agencies(qs: QuerySet, user) -> QuerySet:
    """Agencies the user may route to or rate: regional ones and those of the user's territory."""
    if getattr(user, "is_superuser", False):
        return qs
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    if membership.role == Role.EXECUTOR:
        return qs.filter(pk=membership.agency_id)
    centre = membership.centre
    qs = qs.filter(region_id=centre.region_id)
    if centre.level == Centre.Level.MUNICIPAL:
        qs = qs.filter(Q(municipality_id=centre.municipality_id) | Q(municipality__isnull=True))
    return qs


def can_see_personal_data(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    membership = membership_of(user)
    return membership is not None and membership.role in PERSONAL_DATA_ROLES


def mask_name(name: str) -> str:
    """«Иванова Мария Петровна» → «И*** М. П.»: enough to tell appeals apart, not to identify."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join([parts[0][0] + "***"] + [p[0] + "." for p in parts[1:]])


def mask_contact(value: str) -> str:
    if not value:
        return ""
    return value[:2] + "•" * max(len(value) - 4, 3) + value[-2:]


def region_of(user):
    """The region a user works in (for time zone and headings), or None."""
    membership = membership_of(user)
    if membership is None:
        return None
    return membership.agency.region if membership.role == Role.EXECUTOR else membership.centre.region

