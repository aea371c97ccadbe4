"""Fairness of the 双随机 draw is tested, not assumed (三(二): risk and credit levels set the
probability of being drawn): over many seeds the sets drawn follow the exact probabilities of
weighted sampling without replacement (chi-square, α = 0.001, with power shown against equal
weights), minimum ratios always hold, and the inspector assignment never breaks a cap."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy.stats import chisquare

from pipelines import draw_sampling as ds
from pipelines.draw import _weights
from pipelines.draw_policy import load_policy

ALPHA = 0.001  # fixed before looking at any result
DRAWS = 6000


def _set_probabilities(w: np.ndarray, n: int) -> dict[frozenset, float]:
    """Exact probability of each n-set under successive weighted sampling without replacement."""
    probs: dict[frozenset, float] = {}
    for seq in itertools.permutations(range(len(w)), n):
        p, left = 1.0, w.sum()
        for i in seq:
            p *= w[i] / left
            left -= w[i]
        probs[frozenset(seq)] = probs.get(frozenset(seq), 0.0) + p
    return probs


def _observed(weights: np.ndarray, n: int, tag: str) -> dict[frozenset, int]:
    counts: dict[frozenset, int] = {}
    for k in range(DRAWS):
        drawn, _ = ds.select(ds.es_keys(ds.generator(f"{tag} {k}"), weights), n, [])
        counts[frozenset(drawn.tolist())] = counts.get(frozenset(drawn.tolist()), 0) + 1
    return counts


def _chi2_p(counts: dict, probs: dict) -> float:
    keys = sorted(probs, key=sorted)
    observed = np.array([counts.get(k, 0) for k in keys], dtype=float)
    expected = np.array([probs[k] for k in keys]) * observed.sum()
    return chisquare(observed, expected).pvalue


def _policy_population() -> np.ndarray:
    """Five targets of different risk and credit levels, weighted by the shipped policy."""
    frame = pd.DataFrame({"risk_level": ["高", "中", "低", "高", "低"], "credit_level": ["D", "B", "A", None, "C"]})
    return _weights(frame, load_policy(), ranked=False)


def test_sets_drawn_follow_the_policy_weights_over_many_seeds():
    weights = _policy_population()
    assert weights.tolist() == [6.0, 1.5, 0.8, 3.0, 1.5]  # 高×D = 3×2, 中×B, 低×A, 高×未定(1), 低×C
    counts = _observed(weights, 2, "fair")
    assert _chi2_p(counts, _set_probabilities(weights, 2)) > ALPHA


def test_the_chi_square_test_has_power_to_see_weights_ignored():
    weights = _policy_population()
    counts = _observed(np.ones_like(weights), 2, "flat")  # a draw that ignored the policy
    assert _chi2_p(counts, _set_probabilities(weights, 2)) < ALPHA


def test_the_first_target_drawn_is_chosen_with_probability_proportional_to_its_weight():
    weights = np.array([3.0, 2.0, 1.0, 1.0, 0.5, 0.5])
    first = np.bincount([ds.select(ds.es_keys(ds.generator(f"one {k}"), weights), 1, [])[0][0]
                         for k in range(DRAWS)], minlength=weights.size)
    assert chisquare(first, weights / weights.sum() * DRAWS).pvalue > ALPHA


def test_minimum_ratios_always_hold_and_the_sample_has_its_size():
    rng = np.random.default_rng(7)  # only builds test populations; the draws use their own seeds
    for k in range(300):
        n = int(rng.integers(5, 120))
        codes = rng.integers(-1, 3, n)  # -1: level not set
        weights = rng.choice([0.5, 1.0, 3.0], n)
        shares = np.array([0.05, 0.2, 0.5])
        counts = np.bincount(codes[codes >= 0], minlength=3)
        places = ds.places_for(shares, counts)
        size = int(rng.integers(0, n + 1))
        drawn, floor = ds.select(ds.es_keys(ds.generator(f"min {k}"), weights), size, [(codes, places)])
        got = np.bincount(codes[drawn][codes[drawn] >= 0], minlength=3)
        assert (got >= places).all()
        assert len(drawn) == max(size, int(floor.sum())) and len(set(drawn.tolist())) == len(drawn)


def test_places_are_the_exact_ceiling_of_share_times_count():
    assert ds.places_for(np.array([0.05, 0.05, 0.3, 0.0]), np.array([100, 101, 10, 7])).tolist() == [5, 6, 3, 0]


def test_a_weight_of_zero_is_never_drawn_while_others_remain():
    weights = np.array([0.0, 1.0, 1.0, 0.0, 2.0])
    for k in range(200):
        drawn, _ = ds.select(ds.es_keys(ds.generator(f"z {k}"), weights), 3, [])
        assert set(drawn.tolist()) == {1, 2, 4}


def test_inspector_assignment_never_exceeds_caps_and_leaves_no_usable_inspector_idle():
    rng = np.random.default_rng(11)
    for k in range(200):
        nt, ni = int(rng.integers(1, 30)), int(rng.integers(1, 15))
        eligible = rng.random((nt, ni)) < 0.4
        t, i = np.nonzero(eligible)
        per, cap = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        at, ai = ds.assign(t, i, ds.generator(f"a {k}").random(t.size), nt, ni, per, cap)
        assert eligible[at, ai].all()  # only eligible pairs
        assert len(set(zip(at.tolist(), ai.tolist()))) == at.size
        load, got = np.bincount(ai, minlength=ni), np.bincount(at, minlength=nt)
        assert load.max(initial=0) <= cap and got.max(initial=0) <= per
        for short in np.flatnonzero(got < per):  # every inspector it could use is taken or full
            usable = np.flatnonzero(eligible[short])
            mine = set(ai[at == short].tolist())
            assert all(j in mine or load[j] == cap for j in usable)
