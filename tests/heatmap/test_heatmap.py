"""The heat map on hand-built months: per 10 000 with the population of the period's own year, the change
against the previous period, quantile classes, a cell's link landing on exactly its count in the queue, the
sums of a long custom range equal to the facts', and what each role's map and matrix show."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Status
from cur.models import Sector
from cur.periods import CalendarPeriod
from cur.scoping import scope_of
from heatmap.cubes import Slice, area_sums, table_for
from heatmap.map.selectors import heat_map
from heatmap.measures import median_of, quantile_class, quantile_edges
from municipalities.models import Municipality, Population
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
MARCH = CalendarPeriod("month", date(2024, 3, 1), date(2024, 3, 31))
QUERY = {"period": "month", "on": "2024-03-10"}


@pytest.fixture
def months(make_appeal):
    """February 2024: two ЖКХ appeals in Пестравка; March: four (one of them past its deadline), one road
    appeal, and three in Тольятти."""
    def at(day, hour=10):
        return datetime(2024, *day, hour, tzinfo=SAMARA)

    for day in ((2, 5), (2, 20)):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=at(day))
    late = make_appeal(PESTRAVKA, "housing_utilities", received_at=at((3, 1)), status=Status.NEW, due_at=None,
                       kind="appeal", channel="letter")
    late = transitions.appeal_register(appeal=late, by=None, at=at((3, 1)))
    appeals_refresh_overdue(now=late.due_at + timedelta(minutes=1))
    for day in ((3, 4), (3, 11), (3, 31)):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=at(day, 23))  # 23:00 local is still March
    make_appeal(PESTRAVKA, "roads", received_at=at((3, 12)))
    for day in ((3, 2), (3, 3), (3, 4)):
        make_appeal(TOLYATTI, "housing_utilities", received_at=at(day))
    rollups_refresh(now=datetime(2024, 4, 5, tzinfo=SAMARA))


def _row(heat, oktmo):
    return next(r for r in heat.rows if r.municipality.oktmo == oktmo)


def test_counts_per_10k_with_the_population_of_the_year_and_the_change(months):
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    Population.objects.filter(municipality__oktmo=PESTRAVKA, year__gt=2024).delete()
    Population.objects.update_or_create(municipality=Municipality.objects.get(oktmo=PESTRAVKA), year=2024,
                                        defaults={"population": 15_000})
    heat = heat_map(user("cur_curator"), region, MARCH, measure="per_10k")
    pestravka = _row(heat, PESTRAVKA)
    assert pestravka.now["received"] == 5 and pestravka.population == 15_000
    assert pestravka.value == round(5 * 10_000 / 15_000, 2)
    assert pestravka.change == 150.0  # 5 against February's 2
    housing = heat.columns.index(Sector.objects.get(code="housing_utilities"))
    assert pestravka.cells[housing].count == 4
    late = heat_map(user("cur_curator"), region, MARCH, measure="late_share")
    assert _row(late, PESTRAVKA).value == 20.0  # one of five past its deadline
    assert _row(heat_map(user("cur_curator"), region, MARCH, measure="change_abs"), PESTRAVKA).value == 3


def test_each_cell_leads_to_exactly_its_appeals(client, months):
    client.force_login(user("cur_curator"))
    page = client.get(reverse("heatmap:index"), QUERY)
    heat = page.context["heat"]
    pestravka = _row(heat, PESTRAVKA)
    for url, expected in ((pestravka.url, 5), *((cell.url, cell.count) for cell in pestravka.cells),
                          (heat.total.url, 8)):
        listed = client.get(url)
        assert listed.status_code == 200 and listed.context["page"].total == expected, url
    assert "Из тепловой карты" in client.get(pestravka.url).content.decode()
    late = client.get(reverse("heatmap:index"), {**QUERY, "measure": "late_share"}).context["heat"]
    assert client.get(_row(late, PESTRAVKA).url).context["page"].total == 1  # the overdue one alone


def test_in_a_running_month_the_trend_ends_with_the_last_whole_week(months):
    from heatmap.dashboard.selectors import dashboard

    curator = user("pestravka_curator")
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    running = dashboard(curator, region, MARCH, today=date(2024, 3, 20))  # a Wednesday
    assert running.trend["weeks"][-1] == date(2024, 3, 11)  # the week that ended on Sunday the 17th
    assert dashboard(curator, region, MARCH, today=date(2024, 5, 1)).trend["weeks"][-1] == date(2024, 3, 25)


def test_a_long_custom_range_reads_months_and_edge_days_and_equals_the_facts(months):
    region_id = Municipality.objects.get(oktmo=PESTRAVKA).region_id
    whole = Slice(region_id=region_id, first=date(2024, 2, 10), last=date(2024, 3, 31), by=("municipality",))
    assert table_for(whole) is not None and table_for(whole).slot == "day"
    by_facts = Slice(region_id=region_id, first=date(2024, 2, 10), last=date(2024, 3, 31),
                     by=("municipality", "status"))  # a status is kept by the facts alone
    assert table_for(by_facts) is None
    composed = {r["municipality"]: r["received"] for r in area_sums(whole)}
    facts = {}
    for row in area_sums(by_facts):
        facts[row["municipality"]] = facts.get(row["municipality"], 0) + row["received"]
    assert composed == facts and sum(composed.values()) == 9  # one February appeal is before the 10th


def test_a_range_by_channel_that_is_not_whole_months_reads_the_regions_days(months):
    # the dashboard's running month against the same days of the last one: not the facts
    region_id = Municipality.objects.get(oktmo=PESTRAVKA).region_id
    days = Slice(region_id=region_id, first=date(2024, 2, 10), last=date(2024, 3, 31), by=("channel", "kind"),
                 histograms=True)
    assert table_for(days).table == "rollups_regionday"
    by_facts = Slice(region_id=region_id, first=date(2024, 2, 10), last=date(2024, 3, 31),
                     by=("channel", "kind", "status"), histograms=True)
    assert table_for(by_facts) is None
    summed = {}
    for row in area_sums(by_facts):
        total = summed.setdefault((row["channel"], row["kind"]), [0, [0] * len(row["answer_days"])])
        total[0] += row["received"]
        total[1] = [a + b for a, b in zip(total[1], row["answer_days"], strict=True)]
    assert {(r["channel"], r["kind"]): [r["received"], r["answer_days"]] for r in area_sums(days)} == summed


def test_quantile_classes_and_medians():
    edges = quantile_edges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert edges == [3, 5, 7, 9]
    assert [quantile_class(v, edges) for v in (1, 3, 6, 10, None)] == [0, 1, 2, 4, None]
    assert quantile_edges([5, 5, 5]) == [5]  # repeated values: fewer classes, not empty ones
    assert median_of([0, 2, 2, 0]) == 2.0 and median_of([0, 0, 0]) is None and median_of([0, 0, 4]) == 2.0


@pytest.mark.parametrize(("username", "sees"), [
    ("cur_curator", {PESTRAVKA, TOLYATTI}), ("pestravka_operator", {PESTRAVKA}), ("pestravka_zhkh", {PESTRAVKA}),
])
def test_each_role_sees_its_part_of_the_map_the_matrix_and_the_shapes(client, months, username, sees):
    client.force_login(user(username))
    page = client.get(reverse("heatmap:index"), QUERY)
    heat = page.context["heat"]
    shown = {r.municipality.oktmo for r in heat.rows if r.now["received"]}
    assert shown == sees
    assert {r.municipality.oktmo for r in heat.rows} <= ({PESTRAVKA} if sees == {PESTRAVKA} else {
        m.oktmo for m in Municipality.objects.filter(region=heat.region)})
    shapes = client.get(reverse("heatmap:geo")).json()["features"]
    if sees == {PESTRAVKA}:
        assert [f["id"] for f in shapes] == [str(Municipality.objects.get(oktmo=PESTRAVKA).pk)]
    if username == "pestravka_zhkh":  # a sector head: the sectors of their block only
        block = set(scope_of(user(username)).sector_ids)
        assert {c.pk for c in heat.columns} == block and Sector.objects.get(code="roads").pk not in block
        assert _row(heat, PESTRAVKA).now["received"] == 4  # the road appeal is not theirs
        road = Sector.objects.get(code="roads").pk
        assert client.get(reverse("heatmap:index"), {**QUERY, "sector": road}).context["heat"].total.count == 0
    municipality = Municipality.objects.get(oktmo=TOLYATTI)
    expected = 200 if TOLYATTI in sees else 404
    assert client.get(reverse("heatmap:municipality", args=[municipality.pk]), QUERY).status_code == expected


def test_the_municipality_page_lists_its_topics_and_settlements(client, months):
    client.force_login(user("pestravka_operator"))
    place = Municipality.objects.get(oktmo=PESTRAVKA)
    page = client.get(reverse("heatmap:municipality", args=[place.pk]), QUERY).context["page"]
    assert page.total.now["received"] == 5
    housing = next(s for s in page.sectors if s.name == Sector.objects.get(code="housing_utilities").name)
    assert housing.now["received"] == 4 and housing.before["received"] == 2
    assert sum(s.now["received"] for s in page.settlements) == 5
    assert client.get(housing.urls["count"]).context["page"].total == 4


def test_the_dashboard_compares_the_period_and_links_each_tile(client, months):
    client.force_login(user("pestravka_curator"))  # a curator's home is the dashboard
    page = client.get(reverse("home"), QUERY)
    board = page.context["board"]
    tiles = {tile.label: tile for tile in board.tiles}
    assert tiles["Поступило"].value == "5" and tiles["Поступило"].hint == "к прошлому периоду: +150,0 %"
    assert client.get(tiles["Поступило"].url).context["page"].total == 5
    assert client.get(tiles["С нарушением срока"].url).context["page"].total == 1
    weeks = board.trend["weeks"]
    assert len(weeks) == 52 and weeks[-1] == date(2024, 3, 25)  # the year of whole weeks up to March's end
    assert sum(sum(counts) for _, counts in board.trend["sectors"]) == 7  # Пестравка's only: Feb 2 + Mar 5
    assert [g.name for g in board.growing_places] == ["Пестравский район"]
    client.force_login(user("pestravka_operator"))  # an operator's home stays the queue's tiles
    assert "board" not in client.get(reverse("home")).context
