"""Small seeded drawing helpers shared by the demo authority generator.

Counts that the demo is calibrated on (age bands, roles, the "mess" of a real
month) are split exactly with largest remainders, so a test can check them
within a tight tolerance; only the attributes of each young person or worker
are random.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves up (``round`` rounds halves to even)."""
    return math.floor(value + 0.5)


def scaled(base: float, size: int, reference: int, minimum: int = 1) -> int:
    """``base`` at size ``reference``, scaled in proportion to ``size``, at least ``minimum``."""
    return max(minimum, round_half_up(base * size / reference))


def exact_counts(total: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``total`` into integer counts proportional to ``shares`` (largest remainder)."""
    weights = np.asarray(shares, dtype=float)
    raw = total * weights / weights.sum()
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def shuffled_labels(rng: np.random.Generator, total: int, shares: Sequence[float]) -> np.ndarray:
    """``total`` labels ``0..len(shares)-1`` in exact proportions, in random order."""
    labels = np.repeat(np.arange(len(shares)), exact_counts(total, shares))
    return rng.permutation(labels)


def pick(
    rng: np.random.Generator, candidates: np.ndarray, count: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Up to ``count`` distinct indexes from ``candidates``, optionally weighted."""
    count = min(count, len(candidates))
    if count <= 0:
        return np.empty(0, dtype=int)
    p = None if weights is None else weights / weights.sum()
    return np.sort(rng.choice(candidates, size=count, replace=False, p=p))


def choose(rng: np.random.Generator, size: int, options: Mapping[str, float]) -> np.ndarray:
    """``size`` words drawn from ``options`` (word -> probability, normalised here)."""
    words = np.asarray(list(options), dtype=object)
    p = np.asarray(list(options.values()), dtype=float)
    return words[rng.choice(len(words), size=size, p=p / p.sum())]


def chance(rng: np.random.Generator, p: np.ndarray | float, size: int) -> np.ndarray:
    """Booleans, each true with probability ``p`` (a scalar or one per item)."""
    return rng.random(size) < p


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def draw_birth_dates(
    rng: np.random.Generator, as_of: date, youngest: int, oldest: int, size: int
) -> np.ndarray:
    """Ordinal dates of birth of people aged ``youngest``..``oldest`` full years at ``as_of``.

    Nobody is born on or after the as-of date: the youngest are at least a week old.
    """
    latest = years_before(as_of, youngest).toordinal()
    if youngest == 0:
        latest = as_of.toordinal() - 7
    earliest = years_before(as_of, oldest + 1).toordinal() + 1
    return rng.integers(earliest, latest + 1, size=size)


def ages_at(birth_ordinals: np.ndarray, as_of: date) -> np.ndarray:
    """Full years of age at ``as_of`` of each ordinal date of birth."""
    born = [date.fromordinal(int(d)) for d in birth_ordinals]
    return np.array(
        [as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day)) for b in born],
        dtype=int,
    )


def iso_dates(ordinals: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` text of each ordinal date."""
    return np.array([date.fromordinal(int(d)).isoformat() for d in ordinals], dtype=object)
