"""Gradient descent through time: the one-unit network learns to predict each next price (or only tomorrow's).

    inputs x_1 .. x_{T-1},  targets x_2 .. x_T ('all': every next day) or x_T alone ('last': tomorrow)
    L = 0.5 mean_t (y_t - target_t)^2          theta <- theta - lr * clip(dL/dtheta)

theta is the vector (w_x, w_h, b, w_y, b_y); the gradients are the core's `backward`, truncated to k days if
asked. Prices are scaled to StatQuest's 0..1 first (min-max), so one learning rate suits any stock.
"""

from dataclasses import dataclass

import numpy as np

from . import bptt
from .models.rnn import Params, backward, forward

NAMES = ("w_x", "w_h", "b", "w_y", "b_y")
STATQUEST = (1.8, -0.5, 0.0, 1.1, 0.0)
MAX_SNAPSHOTS = 60  # epochs whose predictions and gradients are kept for the animation
MAX_WORK = 2_000_000  # epochs x days per run: about a second on one core


@dataclass(frozen=True)
class Scale:
    """Min-max scaling to 0..1 and back: scaled = (price - lo) / (hi - lo); identity when `lo, hi = 0, 1`."""

    lo: float = 0.0
    hi: float = 1.0

    @classmethod
    def minmax(cls, prices):
        lo, hi = float(np.min(prices)), float(np.max(prices))
        return cls(lo, hi if hi > lo else lo + 1.0)  # a flat series maps to 0

    @property
    def identity(self):
        return self.lo == 0.0 and self.hi == 1.0

    def scaled(self, prices):
        return (np.asarray(prices, dtype=np.float64) - self.lo) / (self.hi - self.lo)

    def price(self, scaled):
        return self.lo + np.asarray(scaled, dtype=np.float64) * (self.hi - self.lo)


def initial(init, seed=0, current=STATQUEST):
    """theta to start from: StatQuest's weights, uniform(-1, 1) from `seed` (replayable), or `current`."""
    if init == "random":
        return np.random.default_rng(seed).uniform(-1.0, 1.0, len(NAMES))
    return np.array(STATQUEST if init == "statquest" else current, dtype=np.float64)


def epochs_allowed(epochs, days):
    """At most `epochs`, and no more than MAX_WORK epoch-days, so one run stays about a second."""
    return max(1, min(epochs, MAX_WORK // max(days, 1)))


def snapshots(epochs):
    """The epochs whose state the animation shows: 0, the last, and evenly spaced ones between."""
    return np.unique(np.linspace(0, epochs, min(epochs + 1, MAX_SNAPSHOTS)).round().astype(int))


@dataclass(frozen=True)
class Run:
    """A training run: theta (E+1, 5) and loss (E+1,) before each epoch and after the last (E = epochs run);
    at each snapshot epoch (S,): the predictions y (S, T) over all T prices (y_t predicts day t+1) and
    |dL/dh_t| (S, T-1); `diverged` is the first epoch whose loss or weights are not finite, else None."""

    theta: np.ndarray
    loss: np.ndarray
    snaps: np.ndarray
    y: np.ndarray
    dh: np.ndarray
    diverged: int | None
    activation: str

    @property
    def final(self):
        """The last finite weights (5,)."""
        return self.theta[-1 if self.diverged is None else max(self.diverged - 1, 0)]


@np.errstate(all="ignore")
def train(xs, theta, activation="relu", task="all", lr=0.1, epochs=200, clip="none", clip_at=5.0, k=None):
    """Plain gradient descent on the scaled prices xs (T,), T >= 2, from theta (5,); returns the `Run`."""
    xs = np.asarray(xs, dtype=np.float64)
    inputs, target = xs[:-1], xs[1:] if task == "all" else xs[-1]
    per = len(inputs) if task == "all" else 1  # predictions the loss averages over
    snaps = snapshots(epochs)
    thetas, losses, ys, dhs, diverged = [np.asarray(theta, dtype=np.float64)], [], [], [], None
    for epoch in range(epochs + 1):
        p = Params.scalar(*thetas[-1], activation)
        g = backward(p, forward(p, inputs), target, task, k)
        losses.append(g.loss / per)
        if epoch in snaps:
            ys.append(forward(p, xs).y)
            dhs.append(np.abs(g.dh[:, 0]) / per)
        if not (np.isfinite(losses[-1]) and np.isfinite(thetas[-1]).all()):
            diverged = epoch
            break
        if epoch < epochs:
            thetas.append(thetas[-1] - lr * bptt.clip(bptt.vector(g) / per, clip, clip_at))
    if diverged is not None and epoch not in snaps:  # the animation ends on the epoch that broke
        snaps = np.append(snaps[snaps < epoch], epoch)
        ys.append(forward(p, xs).y)
        dhs.append(np.abs(g.dh[:, 0]) / per)
    return Run(np.array(thetas), np.array(losses), snaps[: len(ys)], np.array(ys), np.array(dhs), diverged, activation)
