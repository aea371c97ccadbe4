"""The draw's arithmetic: a documented, seeded, vectorised algorithm anyone can re-run.

Algorithm ``ALGORITHM`` version ``VERSION`` (changing any step below changes the version):

1. **Random stream.** ``seed_bits = SHA-256(UTF-8 seed text)``; the generator is
   ``numpy.random.Generator(PCG64(int.from_bytes(seed_bits, "big")))``. Every random number
   is drawn from it in a fixed order: first one uniform per target (targets sorted by id), then
   one uniform per eligible (target, inspector) pair (pairs sorted by draw position, then
   inspector id).
2. **Targets: Efraimidis–Spirakis weighted sampling without replacement** (A-Res, 2006). Each
   target gets the key ``u^(1/w)`` for its uniform ``u`` and weight ``w``; computed as
   ``log(u) / w`` (the same order, no underflow; weight 0 gives −∞ and is never drawn while a
   positive-weight target is left). The ``n`` largest keys are a weighted sample of size ``n``
   without replacement: the first key is target i with probability ``w_i / Σw``, the next among
   the rest likewise. Ties are broken by target id.
3. **Minimum ratios.** For each level L with a minimum share ``r`` (per dimension), the
   ``⌈r · n_L⌉`` largest keys within L are drawn first (stage 保底); the rest of the ``n``
   places go to the largest keys among the targets not yet drawn (stage 加权). The draw order is
   descending key.
4. **Inspectors.** Eligible (target, inspector) pairs get a uniform each. In rounds, each target
   still short of inspectors proposes its lowest-uniform untried eligible inspectors for its
   open places; each inspector accepts proposals in draw order up to its remaining capacity.
   Rounds repeat until no target can be served; a target left short is reported, never filled
   with an ineligible inspector.

>>> rng = generator("2026-12-01 双色球 2026138")
>>> bool(rng.bit_generator.state["bit_generator"] == "PCG64")
True
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

ALGORITHM = "efraimidis-spirakis-a-res/pcg64-sha256"
VERSION = "1"


def seed_digest(seed_text: str) -> str:
    return hashlib.sha256(seed_text.encode("utf-8")).hexdigest()


def generator(seed_text: str) -> np.random.Generator:
    """The draw's only source of randomness: PCG64 seeded from SHA-256 of the seed text."""
    return np.random.Generator(np.random.PCG64(int(seed_digest(seed_text), 16)))


def es_keys(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Efraimidis–Spirakis keys ``log(u) / w`` (order of ``u^(1/w)``), −∞ for weight 0."""
    u = rng.random(weights.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = np.log(u) / weights
    keys[weights <= 0] = -np.inf
    return keys


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal (already sorted) group values."""
    if groups.size == 0:
        return groups.astype(np.int64)
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    lengths = np.diff(np.r_[starts, groups.size])
    return np.arange(groups.size) - np.repeat(starts, lengths)


def select(keys: np.ndarray, size: int, minimums: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Indices drawn (in draw order, descending key) and whether each came from a minimum.

    ``minimums``: for each dimension, (level code per target with −1 for none, places per code).
    The sample has ``max(size, places the minimums need)`` targets, never more than exist with
    positive weight.
    """
    n = keys.size
    order = np.lexsort((np.arange(n), -keys))  # descending key, ties by index (= target id order)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    drawable = np.isfinite(keys)
    floor = np.zeros(n, dtype=bool)
    for codes, places in minimums:
        by_level = np.lexsort((position, codes))
        rank = np.empty(n, dtype=np.int64)
        rank[by_level] = _rank_within(codes[by_level])
        quota = np.where(codes >= 0, places[np.clip(codes, 0, None)], 0)
        floor |= (rank < quota) & (codes >= 0) & drawable
    rest = max(0, min(size, int(drawable.sum())) - int(floor.sum()))
    free = order[~floor[order] & drawable[order]][:rest]
    chosen = np.zeros(n, dtype=bool)
    chosen[free] = True
    chosen |= floor
    drawn = order[chosen[order]]
    return drawn, floor[drawn]


def places_for(shares: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """⌈share · count⌉ per level, exact for decimal shares (0.05 · 100 is 5, not 6)."""
    return np.array([math.ceil(round(s * c, 9)) for s, c in zip(shares, counts)], dtype=np.int64)


def assign(pair_target: np.ndarray, pair_inspector: np.ndarray, uniforms: np.ndarray, n_targets: int,
           n_inspectors: int, per_target: int, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """(target position, inspector index) pairs chosen, each target ≤ per_target inspectors,
    each inspector ≤ capacity targets; targets earlier in draw order are served first."""
    order = np.lexsort((uniforms, pair_target))
    t, i = pair_target[order], pair_inspector[order]
    need = np.full(n_targets, per_target, dtype=np.int64)
    load = np.zeros(n_inspectors, dtype=np.int64)
    got_t, got_i = [], []
    while True:
        live = (need[t] > 0) & (load[i] < capacity)  # drop served targets and full inspectors
        t, i = t[live], i[live]
        if t.size == 0:
            break
        proposed = np.flatnonzero(_rank_within(t) < need[t])
        proposed = proposed[np.lexsort((t[proposed], i[proposed]))]
        accepted = proposed[_rank_within(i[proposed]) < capacity - load[i[proposed]]]
        got_t.append(t[accepted])
        got_i.append(i[accepted])
        need -= np.bincount(t[accepted], minlength=n_targets)
        load += np.bincount(i[accepted], minlength=n_inspectors)
        keep = np.ones(t.size, dtype=bool)
        keep[accepted] = False
        t, i = t[keep], i[keep]
    if not got_t:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(got_t), np.concatenate(got_i)
