"""The one weighted-mean point scorer and the one rank rule (siteplan.score.points / .rank)."""

from __future__ import annotations

import numpy as np
import pytest

from siteplan.errors import ParameterError
from siteplan.score.points import add_weighted, finish_weighted, weight_total, weighted_mean
from siteplan.score.rank import SCORE_TIE, rank_by_score, rank_order

# -- the point scorer ------------------------------------------------------------------


def test_weighted_mean_is_the_documented_rule() -> None:
    scores = np.array([[100.0, 50.0, 0.0], [25.0, 75.0, 100.0]])
    weights = np.array([1.0, 2.0, 0.5])
    want = (scores * weights).sum(axis=1) / weights.sum()
    np.testing.assert_allclose(weighted_mean(scores, weights), want, rtol=0, atol=1e-12)


def test_zero_weights_score_zero_not_nan() -> None:
    out = weighted_mean(np.array([[100.0, 50.0]]), np.zeros(2))
    assert out.tolist() == [0.0]


def test_per_place_weights_leave_a_site_out_of_its_own_mean() -> None:
    pair = np.array([[100.0, 80.0, 40.0], [80.0, 100.0, 0.0], [40.0, 0.0, 100.0]])
    w = np.ones((3, 3)) * ~np.eye(3, dtype=bool)
    assert weighted_mean(pair, w).tolist() == [60.0, 40.0, 20.0]
    lonely = np.zeros((1, 1))  # one site: no other site, weights sum to 0
    assert weighted_mean(lonely, np.zeros((1, 1))).tolist() == [0.0]


def test_chunked_pieces_equal_the_whole_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    scores = rng.uniform(0, 100, (500, 7))
    weights = rng.uniform(0, 3, 7)
    whole = weighted_mean(scores, weights)
    acc = np.zeros(500)
    for start in range(0, 500, 64):  # chunks of places, site by site within a chunk
        index = np.arange(start, min(500, start + 64))
        for j in range(7):
            add_weighted(acc, weights[j], scores[index, j], index)
    assert np.array_equal(finish_weighted(acc, weight_total(weights)), whole)


def test_empty_input() -> None:
    assert weighted_mean(np.zeros((0, 3)), np.ones(3)).shape == (0,)


# -- the rank rule ---------------------------------------------------------------------


def test_ranks_by_score_descending() -> None:
    assert rank_by_score([10.0, 30.0, 20.0], ["a", "b", "c"]).tolist() == [3, 1, 2]


def test_scores_within_the_tolerance_tie_and_go_by_id() -> None:
    # "b" is ahead by 5e-10: a tie, so "a" (the smaller id) ranks first
    assert rank_by_score([50.0, 50.0 + 5e-10], ["a", "b"]).tolist() == [1, 2]
    # beyond the tolerance the higher score wins, whatever the ids
    assert rank_by_score([50.0, 50.0 + 5e-9], ["a", "b"]).tolist() == [2, 1]


def test_exact_order_and_rounding_to_9_decimals_disagree_with_the_rule() -> None:
    # 4e-13 apart, straddling a rounding boundary: a tie by the rule, so the
    # smaller id "a" ranks first. Exact order and round(., 9) both put "b" first.
    scores = np.array([1.0000000014998, 1.0000000015002002])
    ids = ["a", "b"]
    exact = np.lexsort((np.arange(2), -scores))
    rounded = np.lexsort((np.arange(2), -np.round(scores, 9)))
    assert np.round(scores, 9).tolist() == [1.000000001, 1.000000002]
    assert exact.tolist() == [1, 0]
    assert rounded.tolist() == [1, 0]
    assert rank_order(scores, ids).tolist() == [0, 1]


def test_ids_compare_in_code_point_order() -> None:
    # code-point order: "B" < "a" < "é"; all three tie
    assert rank_order([1.0, 1.0, 1.0], ["é", "a", "B"]).tolist() == [2, 1, 0]
    assert rank_order([1.0, 1.0], ["site10", "site9"]).tolist() == [0, 1]


def test_ties_chain_through_neighbours() -> None:
    step = 0.6 * SCORE_TIE  # each neighbour within the tolerance, the ends beyond it
    scores = [5.0, 5.0 + step, 5.0 + 2 * step, 7.0]
    assert rank_order(scores, ["d", "c", "b", "a"]).tolist() == [3, 2, 1, 0]


def test_integer_ids_and_positions() -> None:
    assert rank_order([1.0, 2.0, 1.0]).tolist() == [1, 0, 2]
    assert rank_order([1.0, 1.0, 1.0], np.array([2, 0, 1])).tolist() == [1, 2, 0]


def test_ranks_of_nothing_and_of_one() -> None:
    assert rank_by_score([]).tolist() == []
    assert rank_by_score([3.0], ["x"]).tolist() == [1]


def test_ids_must_match_the_scores() -> None:
    with pytest.raises(ParameterError, match="ids has 1 entries for 2 scores") as caught:
        rank_order([1.0, 2.0], ["a"])
    assert caught.value.argument == "ids"


def test_site_scores_and_score_sites_rank_alike_on_near_ties() -> None:
    import pandas as pd

    from siteplan.scenarios.sensitivity import site_scores
    from siteplan.score.decay import make_decay
    from siteplan.score.scoring import score_sites

    # three sites; the breakdown gives "a" and "b" scores 1e-13 apart
    breakdown = pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "other_id": ["c", "c", "a"],
            "distance_m": [1.0, 1.0, 1.0],
            "contribution": [40.0, 40.0 + 1e-13, 10.0],
        }
    )
    sites = score_sites(pd.Series(["b", "a", "c"]), breakdown)
    assert dict(zip(sites["id"], sites["rank"], strict=True)) == {"a": 1, "b": 2, "c": 3}
    d = np.array([[np.nan, 100.0, 100.0], [100.0, np.nan, 100.0], [100.0, 100.0, np.nan]])
    _, ranks = site_scores(d, np.ones(3), make_decay("linear"))
    assert ranks.tolist() == [1, 2, 3]  # all equal: by id
