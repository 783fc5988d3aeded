"""Data scoping — the ONE place that decides what a user may see.

Every selector, view, API endpoint and export passes its queryset through these functions:
- ЦУР roles see their whole region;
- МЦУ roles see their municipality only;
- a руководитель отраслевого блока sees only the sectors of the blocks they lead, inside their centre's
  territory;
- an исполнитель sees only what is assigned to their agency;
- a user with no role sees nothing (a superuser sees everything).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from cur.models import Centre, Membership
from cur.vocabulary import Channel
from municipalities.models import Region

Role = Membership.Role

# 152-ФЗ: roles that work with the citizen directly see the name and contacts; others see them masked.
PERSONAL_DATA_ROLES = {Role.HEAD, Role.IM_POS_OFFICER, Role.OPERATOR, Role.EXECUTOR}


@dataclass(frozen=True)
class Scope:
    """What one user may see, resolved once per request from their Membership."""

    everything: bool = False
    nothing: bool = False
    region_id: int | None = None
    municipality_id: int | None = None  # set for a МЦУ, or an agency of one municipality
    agency_id: int | None = None  # set for an executor
    sector_ids: tuple[int, ...] | None = None  # set for a sector-block head

    def covers(self, item) -> bool:
        """Whether one object in hand — anything with region_id, municipality_id, sector_id and
        agency_id, an appeal above all — lies in this scope: the rule of scope_appeals, without a query
        (the services check the row they have locked)."""
        if self.everything:
            return True
        if self.nothing:
            return False
        if self.agency_id:
            return item.agency_id == self.agency_id
        if item.region_id != self.region_id:
            return False
        if self.municipality_id and item.municipality_id != self.municipality_id:
            return False
        return self.sector_ids is None or item.sector_id in self.sector_ids


def membership_of(user) -> Membership | None:
    """The user's membership with its centre, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_cur_membership"):
        user._cur_membership = (
            Membership.objects.select_related("centre__region", "agency__region").prefetch_related("blocks__sectors")
            .filter(user=user).first()
        )
    return user._cur_membership


def scope_of(user) -> Scope:
    if getattr(user, "is_superuser", False):
        return Scope(everything=True)
    membership = membership_of(user)
    if membership is None:
        return Scope(nothing=True)
    if membership.role == Role.EXECUTOR:
        agency = membership.agency
        return Scope(region_id=agency.region_id, municipality_id=agency.municipality_id, agency_id=agency.pk)
    centre = membership.centre
    sector_ids = None
    if membership.role == Role.SECTOR_HEAD:
        # The union of the sectors of the blocks they lead. A block belongs to one centre: a block of
        # another centre given by mistake grants nothing rather than its sectors on this territory.
        sector_ids = tuple(sorted({sector.pk for block in membership.blocks.all() if block.centre_id == centre.pk
                                   for sector in block.sectors.all()}))
    return Scope(
        region_id=centre.region_id,
        municipality_id=centre.municipality_id if centre.level == Centre.Level.MUNICIPAL else None,
        sector_ids=sector_ids,
    )


class CentreReader:
    """A centre as the reader of its own documents: the weekly note a beat job builds has no user, and must
    read exactly what the centre's curator reads — a ЦУР its region, a МЦУ its municipality, personal data
    masked (a document travels) — through this module like every reader."""

    is_authenticated = True
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, centre: Centre):
        self.centre = centre
        self._cur_membership = Membership(role=Role.CURATOR, centre=centre)

    def __str__(self) -> str:
        return str(self.centre)


def scope_appeals(qs: QuerySet, user) -> QuerySet:
    """Restrict a queryset of Appeal to what the user may see."""
    scope = scope_of(user)
    if scope.everything:
        return qs
    if scope.nothing:
        return qs.none()
    if scope.agency_id:
        return qs.filter(agency_id=scope.agency_id)
    qs = qs.filter(region_id=scope.region_id)
    if scope.municipality_id:
        qs = qs.filter(municipality_id=scope.municipality_id)
    if scope.sector_ids is not None:
        qs = qs.filter(sector_id__in=scope.sector_ids)
    return qs


def scope_centres(qs: QuerySet, user) -> QuerySet:
    """Centres whose documents (weekly notes, indicator reports, roadmaps) the user may read: a ЦУР role every
    centre of its region, a МЦУ role its own centre only; a sector head, an executor and an integrator none
    (a document covers the whole territory, beyond one block or one body)."""
    if getattr(user, "is_superuser", False):
        return qs
    if not reads_documents(user):
        return qs.none()
    centre = membership_of(user).centre
    if centre.level == Centre.Level.REGION:
        return qs.filter(region_id=centre.region_id)
    return qs.filter(pk=centre.pk)


def reads_documents(user) -> bool:
    """Whether the user reads some centre's documents (the rule of scope_centres, without a query)."""
    if getattr(user, "is_superuser", False):
        return True
    membership = membership_of(user)
    return membership is not None and membership.role not in (Role.SECTOR_HEAD, Role.EXECUTOR, Role.INTEGRATOR)


def scope_municipalities(qs: QuerySet, user) -> QuerySet:
    """Municipalities the user works with (filters, heat-map rows)."""
    scope = scope_of(user)
    if scope.everything:
        return qs
    if scope.nothing:
        return qs.none()
    if scope.municipality_id:
        return qs.filter(pk=scope.municipality_id)
    return qs.filter(region_id=scope.region_id)


def scope_agencies(qs: QuerySet, user) -> QuerySet:
    """Agencies the user may route to or rate: regional ones and those of the user's territory."""
    scope = scope_of(user)
    if scope.everything:
        return qs
    if scope.nothing:
        return qs.none()
    if scope.agency_id:
        return qs.filter(pk=scope.agency_id)
    qs = qs.filter(region_id=scope.region_id)
    if scope.municipality_id:
        qs = qs.filter(Q(municipality_id=scope.municipality_id) | Q(municipality__isnull=True))
    return qs


def scope_rated_agencies(qs: QuerySet, user) -> QuerySet:
    """Bodies whose ratings the user sees: those it may route to (scope_agencies), less the regional ones for
    a МЦУ — a regional body is rated by the region, not by one of its municipalities."""
    scope = scope_of(user)
    qs = scope_agencies(qs, user)
    return qs.filter(municipality_id=scope.municipality_id) if scope.municipality_id and not scope.agency_id else qs


def scope_rated_municipalities(qs: QuerySet, user) -> QuerySet:
    """Municipalities whose rating (all the bodies of the territory) the user sees; none for an executor."""
    scope = scope_of(user)
    return qs.none() if scope.agency_id else scope_municipalities(qs, user)


# Intake (file import, the staff form, the quarantine) is the work of a centre's operators: their raw
# data carries personal data and is not yet routed, so neither executors nor curators see it.
INTAKE_ROLES = {Role.HEAD, Role.IM_POS_OFFICER, Role.OPERATOR}


def scope_intake(qs: QuerySet, user) -> QuerySet:
    """Restrict quarantined items or import jobs (both carry `region` and `municipality`) to the
    user's centre: the region for a ЦУР, its own municipality for a МЦУ; nothing for other roles."""
    membership = membership_of(user)
    if not getattr(user, "is_superuser", False) and (membership is None or membership.role not in INTAKE_ROLES):
        return qs.none()
    scope = scope_of(user)
    if scope.everything:
        return qs
    qs = qs.filter(region_id=scope.region_id)
    if scope.municipality_id:
        qs = qs.filter(municipality_id=scope.municipality_id)
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


def user_region(user):
    """The region a user's analytical pages show: their own, or for a superuser the installation's."""
    region = region_of(user)
    if region is None and getattr(user, "is_superuser", False):
        region = Region.objects.filter(code=settings.CUR_REGION).first()
    return region


# --- Intake writes (issue 11) -----------------------------------------------------------------------
# Reading is scoped above; writing through intake is scoped here. An incoming item carries a key
# (region, channel, external_id) chosen by the sender, so a writer could otherwise name an item of
# another territory and overwrite it. Every intake path (REST, file import, staff form, quarantine)
# writes within an IntakeScope; only the source adapters write without one.

# ПОС and «Инцидент Менеджмент» number their items in sequence: a person allowed to write these channels
# could reach any item of the region by its number, so only their adapters (no user) write them.
SOURCE_CHANNELS = frozenset({"pos", "incident"})


class OutsideTerritory(Exception):
    """An incoming item names a municipality outside the writer's territory."""


@dataclass(frozen=True)
class IntakeScope:
    """Where one writer's intake may create and update items: its region, and for a МЦУ its one
    municipality. `channels` are the channels it may write (None: any — only the source adapters)."""

    region_id: int | None  # None: every region (a superuser)
    municipality_id: int | None = None
    channels: frozenset[str] | None = None

    def holds(self, municipality_id: int | None) -> bool:
        """Whether an item already held in this municipality (None: the region's, without one) is
        the writer's to update — a МЦУ holds only its own municipality's items."""
        return self.municipality_id is None or municipality_id == self.municipality_id

    def impose(self, municipality_id: int | None) -> int | None:
        """The municipality an incoming item is written with — the one rule of every intake path: a
        МЦУ's own when the item names none; OutsideTerritory when it names another."""
        if self.municipality_id is None:
            return municipality_id
        if municipality_id is not None and municipality_id != self.municipality_id:
            raise OutsideTerritory(municipality_id)
        return self.municipality_id

    def writes(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


def person_channels() -> frozenset[str]:
    """The channels people write through intake: all but the sources' own."""
    return frozenset(Channel.values) - SOURCE_CHANNELS
