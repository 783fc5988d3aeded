"""Routing proposal: the most specific active rule wins, priority between equals."""

from cur.models import Agency, Sector, Subtopic
from municipalities.models import Municipality
from structuring.models import RoutingRule
from structuring.selectors import propose_agency
from structuring.services import routing_rules_load_default
from tests.personas import PESTRAVKA


def rule(agency: str, *, municipality=None, sector=None, subtopic=None, priority=0, active=True):
    a = Agency.objects.get(code=agency)
    return RoutingRule.objects.create(
        region=a.region, agency=a, priority=priority, is_active=active,
        municipality=Municipality.objects.get(oktmo=municipality) if municipality else None,
        sector=Sector.objects.get(code=sector) if sector else None,
        subtopic=Subtopic.objects.get(code=subtopic) if subtopic else None)


def propose(*, municipality=PESTRAVKA, sector="housing_utilities", subtopic="housing.heating"):
    m = Municipality.objects.get(oktmo=municipality)
    agency_id = propose_agency(region_id=m.region_id, municipality_id=m.pk,
                               sector_id=Sector.objects.get(code=sector).pk,
                               subtopic_id=Subtopic.objects.get(code=subtopic).pk if subtopic else None)
    return Agency.objects.get(pk=agency_id).code if agency_id else None


def test_no_rules_no_proposal(db):
    assert propose() is None


def test_the_most_specific_rule_wins(db):
    rule("adm_pestravskiy_mr", municipality=PESTRAVKA)
    assert propose() == "adm_pestravskiy_mr"
    rule("minenergo_so", sector="housing_utilities")
    assert propose() == "minenergo_so"  # a topic rule beats a territory-only one
    rule("mup_zhkh_pestravskiy", municipality=PESTRAVKA, sector="housing_utilities")
    assert propose() == "mup_zhkh_pestravskiy"  # the same topic, in the municipality
    rule("tplus_samara", subtopic="housing.heating")
    assert propose() == "tplus_samara"  # a subtopic rule beats a sector one
    assert propose(subtopic="housing.hot_water") == "mup_zhkh_pestravskiy"


def test_priority_decides_between_equally_specific_rules(db):
    rule("mup_zhkh_pestravskiy", municipality=PESTRAVKA, sector="housing_utilities", priority=0)
    rule("mku_stroy_pestravskiy", municipality=PESTRAVKA, sector="housing_utilities", priority=5)
    assert propose() == "mku_stroy_pestravskiy"


def test_inactive_rules_and_other_territories_do_not_count(db):
    rule("mup_zhkh_pestravskiy", municipality=PESTRAVKA, sector="housing_utilities", active=False)
    rule("adm_tolyatti_go", municipality="36740000")
    assert propose() is None


def test_default_rules_route_by_territory_and_competence(db):
    result = routing_rules_load_default()
    assert result["created"] > 50
    assert routing_rules_load_default()["created"] == 0  # idempotent
    assert propose(sector="roads", subtopic="roads.potholes") == "mku_stroy_pestravskiy"
    assert propose(sector="other", subtopic="other.animals") == "adm_pestravskiy_mr"
    assert propose(sector="healthcare", subtopic="healthcare.staff") == "crb_pestravskaya"
    assert propose(sector="waste", subtopic="waste.billing") == "ekologiya_so"
    assert propose(municipality="97701000", sector="housing_utilities", subtopic="housing.heating") == "ugkh_cheboksary"


def test_a_body_the_text_names_is_proposed_before_the_rules(db, make_appeal):
    from structuring.services import appeals_structure

    rule("adm_pestravskiy_mr", municipality=PESTRAVKA)
    appeal = make_appeal(PESTRAVKA, text="Третью неделю холодные батареи, компания «Т Плюс» на звонки не отвечает.")
    appeals_structure(appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.proposed_agency.code == "tplus_samara"
    other = make_appeal(PESTRAVKA, text="Третью неделю холодные батареи, никто на звонки не отвечает.")
    appeals_structure(appeal_ids=[other.pk])
    other.refresh_from_db()
    assert other.proposed_agency.code == "adm_pestravskiy_mr"
