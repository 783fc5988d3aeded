"""One «Благоустройство и прочее», not two: the demo names the block as the sector, and a database in
which 0006 made a block under the sector's name beside the demo's «Иные вопросы (…)» gets them folded."""

from importlib import import_module

import pytest
from django.apps import apps

from cur.demo import organisation_load_demo
from cur.models import Centre, Membership, Sector, SectorBlock
from tests.personas import user

pytestmark = pytest.mark.django_db
OLD, NEW = "Иные вопросы (благоустройство и прочее)", "Благоустройство и прочее"
fold = import_module("cur.migrations.0007_centre_contacts").fold_duplicate_block


def landscaping_blocks(centre):
    return list(SectorBlock.objects.filter(centre=centre, sectors__code="other").values_list("name", flat=True))


def test_a_fresh_bootstrap_names_it_once():
    assert list(Sector.objects.filter(name=NEW).values_list("code", flat=True)) == ["other"]
    for centre in Centre.objects.filter(level=Centre.Level.REGION):
        assert landscaping_blocks(centre) == [NEW]
    assert not SectorBlock.objects.filter(name=OLD).exists()


def test_an_existing_database_gets_the_two_folded_into_one():
    centre = Centre.objects.get(level=Centre.Level.REGION, region__code="samara")
    other = Sector.objects.get(code="other")
    kept = SectorBlock.objects.get(centre=centre, name=NEW)
    old = SectorBlock.objects.create(centre=centre, name=OLD, head_position="заместитель руководителя ЦУР")
    old.sectors.add(other)
    head = Membership.objects.filter(centre=centre).exclude(role=Membership.Role.EXECUTOR).first()
    head.blocks.add(old)

    fold(apps, None)

    assert landscaping_blocks(centre) == [NEW]
    kept.refresh_from_db()
    assert kept.head_position == "заместитель руководителя ЦУР"
    assert kept in head.blocks.all()  # the head still sees the sector
    organisation_load_demo()  # and a reload of the demo does not bring the old name back
    assert landscaping_blocks(centre) == [NEW]


def test_a_database_with_only_the_old_name_gets_it_renamed():
    centre = Centre.objects.get(level=Centre.Level.REGION, region__code="samara")
    SectorBlock.objects.filter(centre=centre, name=NEW).update(name=OLD)
    fold(apps, None)
    assert landscaping_blocks(centre) == [NEW]
    assert user("cur_operator")  # the demo organisation is intact
