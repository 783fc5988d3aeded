"""REST create (POST /api/v1/appeals/, docs/integrations.md): one item of the neutral format taken in
through the `api` channel by an integrator or a centre's operator — the same validation, territory and
idempotency as a row of a file (`parse_file_row`), written by the one intake upsert. The API view only
parses the body and turns these outcomes into HTTP answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from appeals.intake.items import Invalid, Territory
from appeals.intake.upsert import KEY_TAKEN, appeals_upsert
from appeals.models import Channel
from appeals.sources.files import parse_file_row
from cur.permissions import Forbidden, intake_scope
from cur.scoping import region_of


class KeyTaken(Exception):
    """The external id is held outside the caller's territory; said without naming the item."""


@dataclass(frozen=True)
class Taken:
    appeal_id: int
    created: bool  # False: the item was known (updated, or the same again)


def rest_item_take_in(*, values: dict, by) -> Taken:
    """Take one item in for `by`. `values` are the neutral format's fields as given; fields absent from
    them are kept on a known item. Raises Forbidden (no right, no region), Invalid (with the field
    before the colon; OutOfTerritory for a municipality outside a МЦУ's own) or KeyTaken — all before
    anything is written."""
    within = intake_scope(by, api=True)
    region = region_of(by)
    if region is None:
        raise Forbidden("У пользователя нет региона.")
    values = {"received_at": timezone.now(), **values}
    territory = Territory.of(region)
    oktmo = values.get("municipality_oktmo")
    if oktmo and oktmo not in territory.by_oktmo:
        raise Invalid(f"municipality_oktmo: ОКТМО {oktmo} нет в справочнике региона.")
    item = parse_file_row(values, territory, within=within, channel=Channel.API)
    written = appeals_upsert(region=region, items=[item], by=by, within=within, source_label="REST API")
    key = (item.channel, item.external_id)
    if key in written.refused or key not in written.ids:
        raise KeyTaken(written.refused.get(key, KEY_TAKEN))
    return Taken(appeal_id=written.ids[key], created=bool(written.created))
