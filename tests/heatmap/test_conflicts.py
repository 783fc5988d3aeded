"""Surges, repeat complaints and conflict situations: the rule on synthetic series (a planted surge found, a
seasonal rise that last year explains left quiet), the weekly scan on real appeals (the situation, its
notices, idempotence, the escalation to a conflict), the curator's moves and who may see and make them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.models import Status
from cur.models import StaffNotification
from cur.permissions import Forbidden
from heatmap.conflicts.detection import Rules, judge, poisson_tail
from heatmap.conflicts.quality import score
from heatmap.conflicts.services import MoveRefused, situation_move, situations_scan
from heatmap.models import Situation
from municipalities.models import Municipality
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
WEEK = date(2024, 3, 11)  # a Monday


def test_the_rule_finds_a_planted_surge_and_keeps_quiet_on_a_known_season():
    rules = Rules()
    quiet = [1, 0, 2, 1, 1, 0, 1, 2]
    assert judge([*quiet, 9], 8, rules=rules).surge
    assert not judge([*quiet, 4], 8, rules=rules).surge  # below the minimum of 5
    assert not judge([6, 5, 7, 6, 5, 6, 7, 6, 8], 8, rules=rules).surge  # busy but ordinary
    # snow: 8–10 a week every January; the autumn before it quiet — last year explains this year's rise
    year = [1] * 40 + [9, 10, 8, 9] + [1] * 9
    series = [*year, *([1] * 40), 9]
    assert not judge(series, len(series) - 1, rules=rules, seasonal=True).surge
    assert judge(series, len(series) - 1, rules=rules, seasonal=False).surge
    assert poisson_tail(0, 1.0) == 1.0 and poisson_tail(9, 1.0) < 0.001 < poisson_tail(3, 1.0)


@pytest.fixture
def burst(make_appeal):
    """Eight ЖКХ appeals in Пестравка in one week after eight quiet weeks (one a fortnight)."""
    for week in range(1, 9, 2):
        make_appeal(PESTRAVKA, "housing_utilities",
                    received_at=datetime.combine(WEEK - timedelta(weeks=week), datetime.min.time(), SAMARA))
    appeals = [make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS,
                           received_at=datetime(2024, 3, 11 + n % 5, 9 + n, tzinfo=SAMARA)) for n in range(8)]
    rollups_refresh(now=datetime(2024, 3, 18, tzinfo=SAMARA))
    return appeals


def test_the_weekly_scan_flags_the_surge_once_and_tells_the_mcu_and_the_sector_head(burst):
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    report = situations_scan(region=region, week=WEEK)
    assert report.surges == 1 and len(report.created) == 1
    situation = Situation.objects.get()
    assert (situation.kind, situation.status, situation.count) == ("surge", "new", 8)
    assert situation.baseline == 0.5 and situation.p_value < 0.001
    told = set(StaffNotification.objects.values_list("recipient__username", flat=True))
    assert {"pestravka_curator", "pestravka_head", "pestravka_zhkh"} <= told
    assert "cur_operator" not in told and "tolyatti_operator" not in told
    again = situations_scan(region=region, week=WEEK)  # the hourly rescan: the same situation, no new notices
    assert again.created == [] and Situation.objects.count() == 1
    assert StaffNotification.objects.count() == len(told)


def test_a_surge_with_unhappy_citizens_is_a_conflict_situation(burst):
    for appeal in burst[:2]:
        transitions.answer_submit(appeal=appeal, text="Кран заменён 14.03.2024, вода подаётся.", by=None,
                                  at=datetime(2024, 3, 15, 12, tzinfo=SAMARA))
        closed = transitions.appeal_close(appeal=appeal.__class__.objects.get(pk=appeal.pk), by=None,
                                          at=datetime(2024, 3, 15, 13, tzinfo=SAMARA))
        transitions.appeal_rate(appeal=closed, satisfaction="not_satisfied", by=None,
                                at=datetime(2024, 3, 16, tzinfo=SAMARA))
    rollups_refresh(now=datetime(2024, 3, 18, tzinfo=SAMARA))
    situations_scan(region=Municipality.objects.get(oktmo=PESTRAVKA).region, week=WEEK)
    situation = Situation.objects.get()
    assert situation.kind == "conflict" and any("не удовлетворён" in r for r in situation.reasons)


def test_the_curator_moves_a_situation_and_each_move_is_recorded(client, burst):
    situations_scan(region=Municipality.objects.get(oktmo=PESTRAVKA).region, week=WEEK)
    situation = Situation.objects.get()
    with pytest.raises(Forbidden):
        situation_move(situation=situation, to="under_review", by=user("pestravka_operator"))
    with pytest.raises(MoveRefused):
        situation_move(situation=situation, to="roadmap", by=user("pestravka_curator"))  # not straight from new
    client.force_login(user("pestravka_curator"))
    page = client.get(reverse("heatmap:situation", args=[situation.pk]))
    assert page.status_code == 200 and page.context["evidence"].counts[-1] == 8
    assert client.get(page.context["evidence"].appeals_url).context["page"].total == 8
    client.post(reverse("heatmap:situation_move", args=[situation.pk]), {"to": "under_review", "note": "выезд"})
    situation.refresh_from_db()
    assert situation.status == "under_review"
    move = situation.moves.get()
    assert (move.actor.username, move.old_status, move.new_status, move.note) == (
        "pestravka_curator", "new", "under_review", "выезд")
    client.force_login(user("tolyatti_operator"))
    assert client.get(reverse("heatmap:situation", args=[situation.pk])).status_code == 404
    client.force_login(user("executor_pestravka_zhkh"))
    assert client.get(reverse("heatmap:situation", args=[situation.pk])).status_code == 404


def test_the_bell_counts_unread_notices_and_opening_one_reads_it(client, burst):
    situations_scan(region=Municipality.objects.get(oktmo=PESTRAVKA).region, week=WEEK)
    client.force_login(user("pestravka_zhkh"))
    page = client.get(reverse("notifications"))
    assert page.context["unread_notifications"] == 1
    notice = page.context["notices"][0]
    opened = client.get(reverse("notification_open", args=[notice.pk]))
    assert opened.status_code == 302 and opened["Location"] == Situation.objects.get().get_absolute_url()
    assert client.get(reverse("notifications")).context["unread_notifications"] == 0


def test_the_rule_finds_most_planted_surges_and_few_others_on_synthetic_streams():
    """The figures docs/analytics.md records (manage.py surge_quality); a season shared by every territory
    alone — nothing planted — raises almost nothing."""
    result = score(Rules(), seed=15)
    assert result.precision >= 0.85 and result.recall >= 0.9, result
    quiet = score(Rules(), seed=16, share=0.0)
    assert quiet.planted == 0 and quiet.found <= 0.002 * 40 * 30 * 44, quiet
