"""The rating's arithmetic on plain numbers (ratings/scoring.py, docs/ratings.md)."""

from datetime import date

import pytest

from ratings.models import Methodology
from ratings.scoring import Sums, median_share, min_volume, parts, places, population_band, rate, score, zone
from rollups.models import SPEED_BUCKETS


def histogram(**counts) -> list[int]:
    values = [0] * SPEED_BUCKETS
    for key, count in counts.items():
        values[int(key[1:])] = count
    return values


def test_the_median_share_is_read_from_the_buckets():
    assert median_share([0] * SPEED_BUCKETS) is None
    assert median_share(histogram(b4=1)) == pytest.approx(0.225)  # one answer in 20–25 %: the middle of it
    assert median_share(histogram(b2=2, b10=2)) == pytest.approx(0.15)  # half in 10–15 %: its top edge
    assert median_share(histogram(b20=3, b1=1)) == 1.0  # most past the deadline


def test_each_part_is_a_share_of_its_own_counts():
    s = Sums(on_time=45, late=5, quality_ok=8, quality_bad=2, complete_ok=9, complete_bad=1, rated=4, satisfied=3,
             fast_track=12, fast_track_on_time=7, fast_track_late=1,
             answer_speed=histogram(b4=1), first_speed=histogram(b10=1))
    assert parts(s) == {"timeliness": 90.0, "speed": 62.5, "quality": 80.0,
                        "satisfaction": 75.0, "completeness": 90.0, "fast_track": 87.5}
    assert parts(Sums())["timeliness"] is None


def test_the_score_is_weighted_over_the_parts_that_have_data():
    weights = {"timeliness": 30, "speed": 20, "quality": 20, "satisfaction": 15, "completeness": 15}
    values = {"timeliness": 90.0, "speed": 60.0, "quality": None, "satisfaction": 75.0, "completeness": 90.0}
    assert score(values, weights) == round((90 * 30 + 60 * 20 + 75 * 15 + 90 * 15) / 80, 1)
    assert score(dict.fromkeys(weights), weights) is None


def test_zones_and_the_minimum_volume_by_period():
    m = Methodology(green_from=80, yellow_from=60, min_volume=2)
    assert [zone(v, m) for v in (80, 79.9, 60, 59.9, None)] == ["green", "yellow", "yellow", "red", None]
    assert [min_volume(m, kind=k, days=d) for k, d in (("month", 31), ("quarter", 92), ("year", 365),
                                                       ("week", 7), ("custom", 45))] == [2, 6, 24, 1, 3]


def test_population_bands():
    bands = [20_000, 100_000]
    assert population_band(15_000, bands) == (0, "до 20 тыс. жителей")
    assert population_band(20_000, bands) == (1, "20–100 тыс. жителей")
    assert population_band(700_000, bands) == (2, "от 100 тыс. жителей")
    assert population_band(None, bands)[0] == 3


def test_places_are_within_the_peer_group_and_small_bodies_are_listed_without_one():
    m = Methodology(effective_from=date(2000, 1, 1))
    good = Sums(received=10, on_time=10)
    bad = Sums(received=10, on_time=2, late=8)
    tiny = Sums(received=1, on_time=1)
    rows = places([rate(1, (0, "ОИВ"), bad, m, minimum=2), rate(2, (0, "ОИВ"), good, m, minimum=2),
                   rate(3, (0, "ОИВ"), tiny, m, minimum=2), rate(4, (10, "ОМСУ"), bad, m, minimum=2)])
    assert [(r.key, r.place, r.ranked) for r in rows] == [(2, 1, True), (1, 2, True), (3, None, False),
                                                          (4, 1, True)]
    assert rows[2].zone is None and rows[1].zone == "red"
