"""Quiz statistics: every figure checked against a fixture small enough to compute by hand.

``quizapp.grades.stats`` is pure, so these tests need no Flask app. The arithmetic behind each expected
value is written out in comments so a reader can check it with pencil and paper.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from quizapp.charts import score_histogram
from quizapp.grades.stats import (
    MIN_RESPONSES_FOR_DISTRACTORS,
    AttemptScores,
    Bin,
    cronbach_alpha,
    describe,
    discrimination,
    facility,
    histogram,
    item_flags,
    item_statistics,
    quiz_statistics,
    source_coverage,
)

SVG = "{http://www.w3.org/2000/svg}"

# ---------------------------------------------------------------------------------------------
# The 5-attempt x 3-item matrix used for alpha and for the quiz statistics (each item out of 2).
#
#             q1  q2  q3 | total
#   attempt 1  2   1   2 |   5
#   attempt 2  1   1   0 |   2
#   attempt 3  2   2   2 |   6
#   attempt 4  0   1   0 |   1
#   attempt 5  1   0   1 |   2
#
# q1: mean 6/5 = 1.2; deviations .8 -.2 .8 -1.2 -.2; squares .64+.04+.64+1.44+.04 = 2.8; var 2.8/4 = 0.7
# q2: mean 5/5 = 1.0; deviations 0 0 1 0 -1;         squares 0+0+1+0+1 = 2;            var 2/4   = 0.5
# q3: mean 5/5 = 1.0; deviations 1 -1 1 -1 0;        squares 1+1+1+1+0 = 4;            var 4/4   = 1.0
# total: mean 16/5 = 3.2; deviations 1.8 -1.2 2.8 -2.2 -1.2;
#        squares 3.24+1.44+7.84+4.84+1.44 = 18.8; var 18.8/4 = 4.7
# alpha = k/(k-1) * (1 - sum var_i / var_total) = 3/2 * (1 - 2.2/4.7) = 3/2 * 2.5/4.7 = 3.75/4.7
# ---------------------------------------------------------------------------------------------
MATRIX = [[2, 1, 2], [1, 1, 0], [2, 2, 2], [0, 1, 0], [1, 0, 1]]
MATRIX_ALPHA = 3.75 / 4.7  # 0.797872...


def attempts_from(
    matrix: list[list[float]], ids: tuple[str, ...] = ("q1", "q2", "q3")
) -> list[AttemptScores]:
    """Attempts whose items are the matrix's rows, each item out of 2 points."""
    return [
        AttemptScores(
            attempt_id=n,
            user_id=100 + n,
            total=sum(row),
            max_total=2 * len(row),
            items={q: (points, 2.0) for q, points in zip(ids, row, strict=True)},
        )
        for n, row in enumerate(matrix, start=1)
    ]


def attempt(attempt_id: int, items: dict[str, tuple[float, float]]) -> AttemptScores:
    """An attempt whose total is the sum of its items."""
    return AttemptScores(
        attempt_id=attempt_id,
        user_id=attempt_id,
        total=sum(p for p, _ in items.values()),
        max_total=sum(m for _, m in items.values()),
        items=items,
    )


# -- describe ----------------------------------------------------------------------------------


def test_describe_gives_mean_median_sample_sd_min_and_max():
    # 2 4 4 4 5 5 7 9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    # sample variance 32/7 = 4.571428...; sd = sqrt(32/7) = 2.138089...
    # Even n = 8: median is the mean of the 4th and 5th sorted values, (4 + 5)/2 = 4.5.
    summary = describe([2, 4, 4, 4, 5, 5, 7, 9])
    assert summary.n == 8
    assert summary.mean == pytest.approx(5.0, abs=1e-12)
    assert summary.median == pytest.approx(4.5, abs=1e-12)
    assert summary.sd == pytest.approx(math.sqrt(32 / 7), abs=1e-12)
    assert summary.sd == pytest.approx(2.138089935, abs=1e-9)
    assert (summary.min, summary.max) == (2.0, 9.0)


def test_describe_median_of_odd_count_is_the_middle_value():
    # sorted 1 2 3: the middle value is 2.
    assert describe([3, 1, 2]).median == pytest.approx(2.0, abs=1e-12)


def test_describe_median_of_even_count_averages_the_two_middle_values():
    # sorted 1 2 3 4: (2 + 3)/2 = 2.5.
    assert describe([4, 1, 3, 2]).median == pytest.approx(2.5, abs=1e-12)


def test_describe_of_no_scores_is_all_none_but_n():
    summary = describe([])
    assert summary.n == 0
    assert (summary.mean, summary.median, summary.sd, summary.min, summary.max) == (None,) * 5


def test_describe_of_one_score_has_no_sample_sd():
    summary = describe([70.0])
    assert (summary.n, summary.mean, summary.median, summary.sd) == (1, 70.0, 70.0, None)


# -- facility ----------------------------------------------------------------------------------


def test_facility_is_the_mean_fraction_of_marks():
    # (1 + 0.5 + 0 + 1) / 4 = 2.5/4 = 0.625
    assert facility([1, 0.5, 0, 1]) == pytest.approx(0.625, abs=1e-12)


def test_facility_of_no_responses_is_none():
    assert facility([]) is None


# -- discrimination ----------------------------------------------------------------------------


def test_discrimination_is_the_correlation_with_the_rest_of_the_test():
    # item 1 1 0 0, rest 3 2 2 1. Means 0.5 and 2.
    # dx = .5 .5 -.5 -.5; dy = 1 0 0 -1
    # Sxy = .5 + 0 + 0 + .5 = 1; Sxx = 4 * .25 = 1; Syy = 1 + 0 + 0 + 1 = 2
    # r = Sxy / sqrt(Sxx * Syy) = 1/sqrt(2) = 0.707107
    assert discrimination([1, 1, 0, 0], [3, 2, 2, 1]) == pytest.approx(1 / math.sqrt(2), abs=1e-12)


def test_discrimination_is_negative_when_weaker_learners_do_better_on_the_item():
    # item 1 0 1 0 0, rest 2 4 1 3 5. Means 0.4 and 3.
    # dx = .6 -.4 .6 -.4 -.4; dy = -1 1 -2 0 2
    # Sxy = -.6 - .4 - 1.2 + 0 - .8 = -3.0
    # Sxx = .36 + .16 + .36 + .16 + .16 = 1.2; Syy = 1 + 1 + 4 + 0 + 4 = 10
    # r = -3 / sqrt(1.2 * 10) = -3/sqrt(12) = -0.866025
    r = discrimination([1, 0, 1, 0, 0], [2, 4, 1, 3, 5])
    assert r == pytest.approx(-3 / math.sqrt(12), abs=1e-12)
    assert r == pytest.approx(-0.866025404, abs=1e-9)


def test_discrimination_of_a_perfect_correlation_stays_within_one():
    assert discrimination([0.1, 0.2, 0.3], [0.3, 0.6, 0.9]) == pytest.approx(1.0, abs=1e-12)
    assert -1.0 <= discrimination([0.1, 0.2, 0.3], [0.9, 0.6, 0.3]) <= 1.0


@pytest.mark.parametrize(
    ("item", "rest"),
    [
        pytest.param([], [], id="no attempts"),
        pytest.param([1], [3], id="one attempt"),
        pytest.param([1, 1, 1], [3, 2, 1], id="everyone got the item right"),
        pytest.param([0.1, 0.1, 0.1], [3, 2, 1], id="constant inexact floats"),
        pytest.param([1, 0, 1], [2, 2, 2], id="the rest never varies"),
    ],
)
def test_discrimination_is_none_without_two_attempts_or_any_variance(item, rest):
    assert discrimination(item, rest) is None


def test_discrimination_refuses_columns_of_different_lengths():
    with pytest.raises(ValueError, match="same attempts"):
        discrimination([1, 0], [1, 2, 3])


# -- Cronbach's alpha --------------------------------------------------------------------------


def test_cronbach_alpha_of_the_hand_computed_matrix():
    # See MATRIX above: 3/2 * (1 - 2.2/4.7) = 0.797872
    assert cronbach_alpha(MATRIX) == pytest.approx(MATRIX_ALPHA, abs=1e-12)
    assert cronbach_alpha(MATRIX) == pytest.approx(0.797872340, abs=1e-9)


def test_cronbach_alpha_of_dichotomous_items_equals_kr20():
    # 6 attempts x 4 items scored 0/1:
    #              i1 i2 i3 i4 | total
    rows = [
        [1, 1, 1, 1],  #  4
        [1, 1, 1, 0],  #  3
        [1, 1, 0, 0],  #  2
        [1, 0, 1, 0],  #  2
        [0, 1, 0, 0],  #  1
        [1, 0, 0, 0],  #  1
    ]
    n, k = 6, 4
    # p (proportion right): 5/6, 4/6, 3/6, 1/6
    # p*q: 5/36, 8/36, 9/36, 5/36; sum p*q = 27/36 = 0.75
    sum_pq = 27 / 36
    # totals 4 3 2 2 1 1: sum 13, sum of squares 16+9+4+4+1+1 = 35
    # SS = 35 - 13^2/6 = (210 - 169)/6 = 41/6
    # population variance = SS/n = 41/36; sample variance = SS/(n-1) = 41/30
    var_total_population = 41 / 36
    var_total_sample = 41 / 30
    #
    # KR-20 in its textbook form, population variance throughout (p*q IS a population variance):
    #   4/3 * (1 - (27/36) / (41/36)) = 4/3 * (1 - 27/41) = 4/3 * 14/41 = 56/123 = 0.455285
    kr20_population = k / (k - 1) * (1 - sum_pq / var_total_population)
    # The same with sample variance throughout, as cronbach_alpha uses: each p*q scaled by n/(n-1)
    # is that item's sample variance (i1: 5/36 * 6/5 = 1/6, and directly 30/36 / 5 = 1/6), so
    #   4/3 * (1 - (0.75 * 6/5) / (41/30)) = 4/3 * (1 - 0.9/1.3667) = 4/3 * (1 - 27/41) = 56/123
    kr20_sample = k / (k - 1) * (1 - sum_pq * n / (n - 1) / var_total_sample)
    assert kr20_population == pytest.approx(56 / 123, abs=1e-12)
    assert kr20_sample == pytest.approx(56 / 123, abs=1e-12)
    assert cronbach_alpha(rows) == pytest.approx(56 / 123, abs=1e-12)
    # Mixing conventions (unscaled p*q over the sample variance) gives a different, wrong value:
    #   4/3 * (1 - 0.75 / (41/30)) = 4/3 * (1 - 22.5/41) = 4/3 * 18.5/41 = 74/123 = 0.601626
    mixed = k / (k - 1) * (1 - sum_pq / var_total_sample)
    assert mixed == pytest.approx(74 / 123, abs=1e-12)
    assert cronbach_alpha(rows) != pytest.approx(mixed, abs=1e-3)


@pytest.mark.parametrize(
    "matrix",
    [
        pytest.param([], id="no attempts"),
        pytest.param([[1, 0, 1]], id="one attempt"),
        pytest.param([[1], [0], [1]], id="one item"),
        pytest.param([[1, 0], [0, 1], [1, 0]], id="every total the same"),
    ],
)
def test_cronbach_alpha_is_none_for_too_little_data_or_no_total_variance(matrix):
    assert cronbach_alpha(matrix) is None


def test_cronbach_alpha_refuses_rows_of_different_lengths():
    with pytest.raises(ValueError, match="same items"):
        cronbach_alpha([[1, 0], [1, 0, 1]])


# -- histogram ---------------------------------------------------------------------------------


def test_histogram_puts_edges_in_the_band_they_open_and_100_in_the_last():
    # 0 and 9.99 -> 0-10; 10 -> 10-20; 55 -> 50-60; 100 -> 90-100 (the last band includes 100).
    bins = histogram([0, 9.99, 10, 55, 100])
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert [(b.low, b.high) for b in bins][:2] == [(0, 10), (10, 20)]
    assert (bins[-1].low, bins[-1].high) == (90, 100)


def test_histogram_clamps_values_outside_0_to_100():
    # -5 counts as 0 (first band); 120 counts as 100 (last band).
    bins = histogram([-5, 120])
    assert bins[0].count == 1
    assert bins[-1].count == 1
    assert sum(b.count for b in bins) == 2


def test_histogram_with_other_bin_counts_keeps_equal_bands():
    # 4 bands of 25: 25 opens the 2nd, 74.9 is in the 3rd, 75 opens the 4th.
    bins = histogram([25, 74.9, 75], bins=4)
    assert [(b.low, b.high, b.count) for b in bins] == [(0, 25, 0), (25, 50, 1), (50, 75, 1), (75, 100, 1)]


def test_histogram_refuses_no_bins_and_not_a_number():
    with pytest.raises(ValueError, match="at least one bin"):
        histogram([50], bins=0)
    with pytest.raises(ValueError, match="not a number"):
        histogram([math.nan])


# -- histogram SVG -----------------------------------------------------------------------------


def chart_bins() -> list[Bin]:
    counts = [0, 1, 0, 2, 0, 3, 4, 2, 1, 1]
    return [Bin(low=10 * i, high=10 * (i + 1), count=c) for i, c in enumerate(counts)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - parsing our own generated markup, not untrusted input


def test_svg_is_an_accessible_image_with_a_bar_per_bin():
    svg = score_histogram(chart_bins(), "Scores")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert (root.get("width"), root.get("height")) == ("400", "260")
    # <title> then <desc> first: they name and describe the image for assistive technology.
    assert [child.tag for child in root][:2] == [f"{SVG}title", f"{SVG}desc"]
    assert root.find(f"{SVG}title").text == "Scores"
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 10
    assert svg.count("<rect") == 10


def test_svg_describes_every_count_and_gives_each_bar_a_tooltip():
    root = parse(score_histogram(chart_bins(), "Scores"))
    desc = root.find(f"{SVG}desc").text
    assert "0–10%: 0 attempts" in desc
    assert "10–20%: 1 attempt;" in desc
    assert "60–70%: 4 attempts" in desc
    tooltips = [bar.find(f"{SVG}title").text for bar in root.findall(f"{SVG}rect")]
    assert tooltips[6] == "60–70%: 4 attempts"
    assert tooltips[1] == "10–20%: 1 attempt"
    assert len(tooltips) == 10


def test_svg_bar_heights_follow_the_counts():
    root = parse(score_histogram(chart_bins(), "Scores"))
    heights = [float(bar.get("height")) for bar in root.findall(f"{SVG}rect")]
    # The tallest bar (4) is twice the height of a bar of 2, and an empty band has no height.
    assert heights[6] == pytest.approx(2 * heights[3], abs=0.02)
    assert heights[0] == 0


def test_svg_labels_its_axes():
    texts = [t.text for t in parse(score_histogram(chart_bins(), "Scores")).iter(f"{SVG}text")]
    assert "Score (%)" in texts
    assert "Attempts" in texts
    assert "0" in texts
    assert "100" in texts


def test_svg_escapes_the_title():
    title = '<b>"x" & y</b>'
    svg = score_histogram(chart_bins(), title)
    assert "<b>" not in svg
    assert '&lt;b&gt;"x" &amp; y&lt;/b&gt;' in svg
    # It still parses, and the title reads back exactly as given.
    assert parse(svg).find(f"{SVG}title").text == title


def test_svg_has_no_script_or_external_resource():
    svg = score_histogram(chart_bins(), "Scores").lower()
    assert "<script" not in svg
    assert "href" not in svg
    assert "onload" not in svg
    assert "<foreignobject" not in svg
    # The only URL is the SVG namespace itself.
    assert svg.count("http") == 1


def test_svg_of_no_bins_says_so():
    root = parse(score_histogram([], "Scores"))
    assert root.findall(f"{SVG}rect") == []
    assert root.find(f"{SVG}desc").text == "No attempts to show."


# -- item statistics ---------------------------------------------------------------------------
#
# Five attempts at two questions: q1 a single choice worth 1 (A right; B, C, D wrong),
# q2 worth 2.
#
#             q1 (of 1)  q2 (of 2) | total | q1 pick
#   attempt 1     1          2     |   3   |   A
#   attempt 2     1          1     |   2   |   A
#   attempt 3     0          1     |   1   |   B
#   attempt 4     1          0     |   1   |   A
#   attempt 5     0          0     |   0   |   C
#
# q1 fractions 1 1 0 1 0 -> facility 3/5 = 0.6
#   rest = total - q1 = 2 1 1 0 0 (mean 0.8)
#   dx = .4 .4 -.6 .4 -.6; dy = 1.2 .2 .2 -.8 -.8
#   Sxy = .48 + .08 - .12 - .32 + .48 = 0.6
#   Sxx = .16*3 + .36*2 = 1.2; Syy = 1.44 + .04 + .04 + .64 + .64 = 2.8
#   r = 0.6 / sqrt(1.2 * 2.8) = 0.6/sqrt(3.36) = 0.327327
#   sd of fractions = sqrt(Sxx/4) = sqrt(0.3) = 0.547723
# q2 fractions 1 .5 .5 0 0 -> facility 2/5 = 0.4
#   rest = total - q2 = q1's points 1 1 0 1 0 (mean 0.6)
#   dx = .6 .1 .1 -.4 -.4; dy = .4 .4 -.6 .4 -.6
#   Sxy = .24 + .04 - .06 - .16 + .24 = 0.30
#   Sxx = .36 + .01 + .01 + .16 + .16 = 0.70; Syy = .16*3 + .36*2 = 1.2
#   r = 0.3 / sqrt(0.7 * 1.2) = 0.3/sqrt(0.84) = 0.327327 (with two items each is the other's rest)
#   sd of fractions = sqrt(0.7/4) = sqrt(0.175) = 0.418330
ITEM_ATTEMPTS = [
    attempt(1, {"q1": (1, 1), "q2": (2, 2)}),
    attempt(2, {"q1": (1, 1), "q2": (1, 2)}),
    attempt(3, {"q1": (0, 1), "q2": (1, 2)}),
    attempt(4, {"q1": (1, 1), "q2": (0, 2)}),
    attempt(5, {"q1": (0, 1), "q2": (0, 2)}),
]
PICKS = {"q1": Counter({"A": 3, "B": 1, "C": 1})}
CHOICES = {"q1": ("A", "B", "C", "D")}


def test_item_statistics_of_the_hand_computed_attempts():
    stats = item_statistics(ITEM_ATTEMPTS, PICKS, CHOICES)
    assert list(stats) == ["q1", "q2"]
    q1, q2 = stats["q1"], stats["q2"]
    assert q1.responses == q2.responses == 5
    assert q1.facility == pytest.approx(0.6, abs=1e-12)
    assert q1.discrimination == pytest.approx(0.6 / math.sqrt(3.36), abs=1e-12)
    assert q1.discrimination == pytest.approx(0.327327, abs=1e-6)
    assert q1.sd == pytest.approx(math.sqrt(0.3), abs=1e-12)
    assert q2.facility == pytest.approx(0.4, abs=1e-12)
    assert q2.discrimination == pytest.approx(0.3 / math.sqrt(0.84), abs=1e-12)
    assert q2.sd == pytest.approx(math.sqrt(0.175), abs=1e-12)


def test_item_statistics_reports_picks_and_unpicked_choices():
    stats = item_statistics(ITEM_ATTEMPTS, PICKS, CHOICES)
    assert stats["q1"].picks == Counter({"A": 3, "B": 1, "C": 1})
    assert stats["q1"].unpicked == ["D"]
    # q2 offers no choices: nothing to leave unpicked, nothing picked.
    assert stats["q2"].picks == Counter()
    assert stats["q2"].unpicked == []


def test_unused_distractor_is_flagged_from_five_responses():
    assert MIN_RESPONSES_FOR_DISTRACTORS == 5
    stats = item_statistics(ITEM_ATTEMPTS, PICKS, CHOICES)
    # Facility 0.6 and discrimination 0.33 raise nothing else.
    assert stats["q1"].flags == ["unused distractor: D"]


def test_unused_distractor_is_not_flagged_below_five_responses():
    four = ITEM_ATTEMPTS[:4]
    picks = {"q1": Counter({"A": 3, "B": 1})}
    stats = item_statistics(four, picks, CHOICES)
    assert stats["q1"].responses == 4
    assert stats["q1"].unpicked == ["C", "D"]
    assert not any(flag.startswith("unused distractor") for flag in stats["q1"].flags)


def test_responses_count_only_attempts_that_showed_the_question():
    attempts = [*ITEM_ATTEMPTS, attempt(6, {"q2": (2, 2)})]
    stats = item_statistics(attempts, {}, {})
    assert stats["q1"].responses == 5
    assert stats["q2"].responses == 6


def test_item_statistics_flags_negative_discrimination():
    # "trick" fractions 1 0 1 0 0; the other question's points (the rest) 2 4 1 3 5:
    # r = -3/sqrt(12) = -0.866025 as in the discrimination test above; facility 2/5 = 0.4.
    trick = [1, 0, 1, 0, 0]
    rest = [2, 4, 1, 3, 5]
    attempts = [
        attempt(n, {"trick": (t, 1), "other": (r, 5)})
        for n, (t, r) in enumerate(zip(trick, rest, strict=True), start=1)
    ]
    stats = item_statistics(attempts, {}, {})["trick"]
    assert stats.discrimination == pytest.approx(-3 / math.sqrt(12), abs=1e-12)
    assert stats.facility == pytest.approx(0.4, abs=1e-12)
    assert stats.flags == ["negative discrimination"]


@pytest.mark.parametrize(
    ("fraction", "flags"),
    [
        pytest.param(0.19, ["too hard"], id="0.19 is too hard"),
        pytest.param(0.2, [], id="0.2 is not too hard"),
        pytest.param(0.95, [], id="0.95 is not too easy"),
        pytest.param(0.951, ["too easy"], id="0.951 is too easy"),
    ],
)
def test_facility_flags_fire_at_their_thresholds(fraction, flags):
    # One attempt: facility is that attempt's fraction, and discrimination is None (no flag).
    stats = item_statistics([attempt(1, {"q": (fraction, 1.0)})], {}, {})["q"]
    assert stats.facility == pytest.approx(fraction, abs=1e-12)
    assert stats.discrimination is None
    assert stats.flags == flags


@pytest.mark.parametrize(
    ("index", "flags"),
    [
        pytest.param(-0.01, ["negative discrimination"], id="-0.01 is negative"),
        pytest.param(0.0, ["low discrimination"], id="0 is low"),
        pytest.param(0.19, ["low discrimination"], id="0.19 is low"),
        pytest.param(0.2, [], id="0.2 is fine"),
        pytest.param(None, [], id="unknown raises nothing"),
    ],
)
def test_discrimination_flags_fire_at_their_thresholds(index, flags):
    assert item_flags(0.5, index, responses=10, unpicked=[]) == flags


def test_flags_list_each_unused_distractor_in_the_order_offered():
    assert item_flags(0.5, 0.5, responses=5, unpicked=["B", "D"]) == [
        "unused distractor: B",
        "unused distractor: D",
    ]
    assert item_flags(0.5, 0.5, responses=4, unpicked=["B", "D"]) == []


# -- quiz statistics ---------------------------------------------------------------------------


def test_quiz_statistics_summarise_percentages():
    # MATRIX totals 5 2 6 1 2 of 6 -> 83.33 33.33 100 16.67 33.33 percent.
    # mean = 16/5/6*100 = 53.33; median (sorted 16.67 33.33 33.33 83.33 100) = 33.33;
    # sd = sqrt(4.7) * 100/6 = 2.167948 * 16.6667 = 36.1325
    stats = quiz_statistics(attempts_from(MATRIX))
    assert stats.attempts == 5
    assert stats.summary.n == 5
    assert stats.summary.mean == pytest.approx(160 / 3, abs=1e-9)
    assert stats.summary.median == pytest.approx(100 / 3, abs=1e-9)
    assert stats.summary.sd == pytest.approx(math.sqrt(4.7) * 100 / 6, abs=1e-9)
    assert stats.summary.min == pytest.approx(100 / 6, abs=1e-9)
    assert stats.summary.max == pytest.approx(100, abs=1e-9)


def test_quiz_statistics_histogram_counts_each_attempt_once():
    # 16.67 -> 10-20; 33.33 twice -> 30-40; 83.33 -> 80-90; 100 -> 90-100
    stats = quiz_statistics(attempts_from(MATRIX))
    assert [b.count for b in stats.bins] == [0, 1, 0, 2, 0, 0, 0, 0, 1, 1]


def test_quiz_alpha_over_the_questions_every_attempt_drew():
    stats = quiz_statistics(attempts_from(MATRIX))
    assert stats.alpha == pytest.approx(MATRIX_ALPHA, abs=1e-12)
    assert stats.alpha_note is None


def test_quiz_alpha_is_none_with_a_note_when_attempts_drew_different_questions():
    attempts = [
        attempt(1, {"q1": (1, 1), "q2": (1, 1)}),
        attempt(2, {"q1": (0, 1), "q3": (1, 1)}),
        attempt(3, {"q1": (1, 1), "q2": (0, 1)}),
    ]
    stats = quiz_statistics(attempts)
    assert stats.alpha is None
    assert stats.alpha_note == "attempts drew different questions"


def test_quiz_alpha_is_none_with_a_note_for_a_single_question():
    attempts = [attempt(1, {"q1": (1, 1)}), attempt(2, {"q1": (0, 1)})]
    stats = quiz_statistics(attempts)
    assert stats.alpha is None
    assert stats.alpha_note == "needs at least 2 questions"


def test_quiz_alpha_is_none_with_a_note_for_a_single_attempt():
    stats = quiz_statistics(attempts_from(MATRIX[:1]))
    assert stats.alpha is None
    assert stats.alpha_note == "needs at least 2 attempts"


def test_quiz_alpha_is_none_with_a_note_when_every_total_is_the_same():
    stats = quiz_statistics(attempts_from([[2, 0], [0, 2], [1, 1]], ids=("q1", "q2")))
    assert stats.alpha is None
    assert stats.alpha_note == "every attempt scored the same"


def test_quiz_statistics_of_no_attempts():
    stats = quiz_statistics([])
    assert stats.attempts == 0
    assert stats.summary.n == 0
    assert sum(b.count for b in stats.bins) == 0
    assert stats.alpha is None


# -- source coverage ---------------------------------------------------------------------------


def test_coverage_counts_questions_per_paragraph_and_lists_the_uncited():
    # 5 paragraphs; questions cite 1, 1, 3, 5 and one cites nothing.
    coverage = source_coverage(5, [(1,), (1,), (3,), (), (5,)])
    assert coverage.counts == {1: 2, 2: 0, 3: 1, 4: 0, 5: 1}
    assert coverage.uncited == [2, 4]
    assert coverage.unsourced == 1
    assert coverage.out_of_range == []


def test_coverage_without_a_paragraph_count_runs_to_the_highest_cited():
    # Cited 2, 4, 2 -> paragraphs 1..4: 1 and 3 have no question.
    coverage = source_coverage(None, [(2,), (4,), (2,)])
    assert coverage.counts == {1: 0, 2: 2, 3: 0, 4: 1}
    assert coverage.uncited == [1, 3]


def test_coverage_reports_citations_past_the_text():
    coverage = source_coverage(3, [(1,), (7,), (7,), (0,)])
    assert coverage.counts == {1: 1, 2: 0, 3: 0}
    assert coverage.uncited == [2, 3]
    assert coverage.out_of_range == [0, 7]


def test_coverage_counts_a_question_for_each_paragraph_it_cites_and_counts_the_header_apart():
    coverage = source_coverage(4, [(2, 4), ("header", 1), ("header",), (4, 4)])
    assert coverage.counts == {1: 1, 2: 1, 3: 0, 4: 2}
    assert coverage.uncited == [3]
    assert coverage.header == 2
    assert coverage.unsourced == 0


def test_coverage_of_nothing_cited():
    coverage = source_coverage(None, [(), ()])
    assert coverage.counts == {}
    assert coverage.uncited == []
    assert coverage.unsourced == 2


def test_svg_text_stays_readable_when_a_phone_shrinks_the_chart_to_its_width():
    root = parse(score_histogram(chart_bins(), "Scores"))
    shown_width = 340  # a 390 px phone's width less the page's and the card's padding
    assert float(root.get("font-size")) * shown_width / float(root.get("width")) >= 11
