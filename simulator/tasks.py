"""Tasks to train on that need a long memory.

The adding problem (Hochreiter & Schmidhuber 1997): each day brings two inputs, a value uniform in [0, 1] and a
marker; two days are marked, one in each half of the T days; the target is the sum of the two marked values.
Guessing the mean, 1, every time scores MSE 1/6 (the sum's variance): a model below that remembers.
"""

import numpy as np

CONSTANT_GUESS = 1 / 6  # the MSE of always answering 1


def adding(T, B, rng):
    """xs (T, B, 2) = (value, marker) each day, and target (B,): the sum of the two marked values."""
    values = rng.uniform(0.0, 1.0, (T, B))
    first, second = rng.integers(0, T // 2, B), rng.integers(T // 2, T, B)
    marks = np.zeros((T, B))
    seq = np.arange(B)
    marks[first, seq] = marks[second, seq] = 1.0
    return np.stack((values, marks), axis=2), values[first, seq] + values[second, seq]
