"""Training through time: a cell of n units learns to predict each next price (or only tomorrow's).

    inputs x_1 .. x_{T-1},  targets x_2 .. x_T ('all': every next day) or x_T alone ('last': tomorrow)
    L = 0.5 mean_t (y_t - target_t)^2          theta <- step(theta, clip(dL/dtheta))

theta is every weight of the cell in one vector (`common.vector`; for the one-unit RNN (w_x, w_h, b, w_y, b_y));
`step` is `optim.Optimizer`'s: plain gradient descent (theta - lr g), momentum or Adam. The gradients are the
core's `backward`, truncated to k days if asked. Learn from the whole series (one step an epoch, as above) or from
windows: every run of `window` days cut from the series with its next days as targets, shuffled by the seed each
epoch into batches of `batch` windows, one step a batch (how such models are trained in practice). Prices are
scaled to StatQuest's 0..1 first (min-max), so one learning rate suits any stock.
"""

from dataclasses import dataclass

import numpy as np

from . import bptt, optim, spectra
from .models import common, gru, lstm, rnn
from .models.rnn import Params

NAMES = ("w_x", "w_h", "b", "w_y", "b_y")
STATQUEST = (1.8, -0.5, 0.0, 1.1, 0.0)
MAX_SNAPSHOTS = 60  # epochs whose predictions and gradients are kept for the animation
MAX_WORK = 2_000_000  # epochs x day-steps per run (`work`): about a second on one core
MODELS = {"rnn": rnn, "lstm": lstm, "gru": gru}


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


def epochs_allowed(epochs, days, per_day=1.0):
    """At most `epochs`, and no more than MAX_WORK epoch-days (each day costing `per_day`, see `work`), so one
    run stays about a second."""
    return max(1, min(epochs, int(MAX_WORK // max(days * per_day, 1))))


def work(cell, n, days, window=None, batch=1):
    """What one epoch costs a day, in days of the one-unit RNN on the whole series (its loop runs in Python
    floats), as bench/training.py measures them: a day of any other RNN costs ~3 + n/16 of them, of the gated cells
    ~9 + n/14; windows add their batches' days, each a batched step (wider for more units). Any network but the
    one-unit RNN counts 4 times over, so that its runs stay near a second."""
    one = cell == "rnn" and n == 1
    day = 1.0 if one else (3 + n / 16 if cell == "rnn" else 9 + n / 14)
    if window:
        length = min(window, days - 1)
        steps = -(-max(days - length, 1) // batch) * length  # batched days an epoch
        day += steps / max(days, 1) * (5 if one else day * (1.5 + n / 30))
    return day if one and not window else 4 * day


def snapshots(epochs):
    """The epochs whose state the animation shows: 0, the last, and evenly spaced ones between."""
    return np.unique(np.linspace(0, epochs, min(epochs + 1, MAX_SNAPSHOTS)).round().astype(int))


@dataclass(frozen=True)
class Run:
    """A training run: loss (E+1,) on the whole series before each epoch and after the last (E = epochs run) and
    `weights` (E+1, K), what the weights' chart draws, named by `names`: the five weights of the one-unit RNN,
    else each weight's norm (‖W_h‖, ...). At each snapshot epoch (S,): the predictions y (S, T) over all T prices
    (y_t predicts day t+1), the gradient's size |dL/dh_t| (S, T-1) (its norm over the units) and, for the RNN, the
    spectral radius of W_h (S,). `final`: the last finite Params (the start if none); `diverged`: the first epoch
    whose loss or weights are not finite, else None."""

    loss: np.ndarray
    weights: np.ndarray
    names: tuple
    snaps: np.ndarray
    y: np.ndarray
    dh: np.ndarray
    radius: np.ndarray | None
    final: object
    diverged: int | None
    activation: str | None
    cell: str = "rnn"

    @property
    def one_unit(self):
        """Whether this is the one-unit RNN, whose `weights` are its five weights."""
        return self.names == NAMES

    @property
    def theta(self):
        """The one-unit RNN's five weights (E+1, 5) per epoch; None for any other network."""
        return self.weights if self.one_unit else None


def windows(xs, window, loss):
    """Every run of `window` days of xs (T,) as inputs (window, N), one starting on each day, N = T - window, and
    their targets: the next day of each day (window, N) ('all') or of the last (N,) ('last'). A window of T - 1
    days or more is the whole series, once."""
    window = min(window, len(xs) - 1)
    days = np.arange(window)[:, None] + np.arange(len(xs) - window)
    return xs[days], xs[days + 1] if loss == "all" else xs[days[-1] + 1]


def batches(count, size, rng):
    """One epoch's batches: the indices 0 .. count-1 shuffled by `rng`, cut into batches of `size` (the last may
    be smaller)."""
    order = rng.permutation(count)
    return [order[i : i + size] for i in range(0, count, size)]


def norms(p):
    """Each weight's size, in `p.NAMES`' order: the Frobenius norm (|b_y| for the one number)."""
    return np.array([np.sqrt(np.sum(np.square(getattr(p, name)))) for name in p.NAMES])


def norm_names(p):
    """The labels of `norms`: '‖W_h‖', ..., '|b_y|'."""
    return tuple("|b_y|" if name == "b_y" else f"‖{name}‖" for name in p.NAMES)


def size(dh):
    """|dL/dh_t| (T,) from dh (T, n): the norm over the units, scaled so that tiny gradients do not underflow."""
    if dh.shape[1] == 1:
        return np.abs(dh[:, 0])
    top = np.max(np.abs(dh), axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        return np.where(top[:, 0] > 0, top[:, 0] * np.sqrt(np.sum(np.square(dh / top), axis=1)), 0.0)


def radius(p):
    """The spectral radius of the RNN's W_h (NaN for weights that are not finite)."""
    return spectra.spectrum(p.W_h).radius if np.isfinite(p.W_h).all() else np.nan


@np.errstate(all="ignore")
def fit_one_unit(xs, theta, activation="relu", loss="all", lr=0.1, epochs=200, clip="none", clip_at=5.0, k=None,
          optimizer="sgd", window=None, batch=16, seed=0):  # fmt: skip
    """The one-unit RNN from theta (5,) = (w_x, w_h, b, w_y, b_y) on the scaled prices xs (T,); see `fit`."""
    p = Params.scalar(*np.asarray(theta, dtype=np.float64), activation)
    return fit("rnn", p, xs, loss, lr, epochs, clip, clip_at, k, optimizer, window, batch, seed)


@np.errstate(all="ignore")
def fit(cell, params, xs, loss="all", lr=0.1, epochs=200, clip="none", clip_at=5.0, k=None, optimizer="sgd",
        window=None, batch=16, seed=0, h0=None):  # fmt: skip
    """Train `params` (a Params of `cell`: 'rnn', 'lstm' or 'gru') on the scaled prices xs (T,), T >= 2, from the
    memory h0 (n,) (0 if None); `window` days in batches of `batch` shuffled by `seed` (None: the whole series).
    Returns the `Run`."""
    model, xs = MODELS[cell], np.asarray(xs, dtype=np.float64)
    inputs, target = xs[:-1], xs[1:] if loss == "all" else xs[-1]
    per = len(inputs) if loss == "all" else 1  # predictions the loss averages over
    one = cell == "rnn" and params.n == 1
    if window:
        cut, cut_target = windows(xs, window, loss)
        cut_per, rng = cut.shape[0] if loss == "all" else 1, np.random.default_rng(seed)
    step = optim.Optimizer(optimizer, lr).step
    snaps, theta, p = snapshots(epochs), common.vector(params, params.NAMES), params
    rows, losses, ys, dhs, radii, final, diverged = [], [], [], [], [], params, None
    for epoch in range(epochs + 1):
        if epoch:
            p = common.from_vector(type(params), theta, params)
        if window and epoch not in snaps:  # the loss alone: a forward pass
            L = common.errors(model.forward(p, inputs, h0).y[:, None], target, loss)[1]
        else:
            g = model.backward(p, model.forward(p, inputs, h0), target, loss, k)
            L = g.loss
        losses.append(L / per)
        rows.append(theta if one else norms(p))
        if epoch in snaps:
            ys.append(model.forward(p, xs, h0).y)
            dhs.append(size(np.reshape(g.dh, (len(inputs), -1))) / per)
            radii.append(radius(p) if cell == "rnn" else np.nan)
        if not (np.isfinite(losses[-1]) and np.isfinite(theta).all()):
            diverged = epoch
            break
        final = p
        if epoch == epochs:
            break
        if not window:
            theta = step(theta, bptt.clip(common.vector(g, p.NAMES) / per, clip, clip_at))
            continue
        for chosen in batches(cut.shape[1], batch, rng):
            q = common.from_vector(type(params), theta, params)
            gb = model.backward(q, model.forward(q, cut[:, chosen], h0), cut_target[..., chosen], loss, k)
            theta = step(theta, bptt.clip(common.vector(gb, q.NAMES) / (len(chosen) * cut_per), clip, clip_at))
    if diverged is not None and epoch not in snaps:  # the animation ends on the epoch that broke
        snaps = np.append(snaps[snaps < epoch], epoch)
        if window:  # the windows' epochs compute no gradient on the whole series
            g = model.backward(p, model.forward(p, inputs, h0), target, loss, k)
        ys.append(model.forward(p, xs, h0).y)
        dhs.append(size(np.reshape(g.dh, (len(inputs), -1))) / per)
        radii.append(radius(p) if cell == "rnn" else np.nan)
    return Run(np.array(losses), np.array(rows), NAMES if one else norm_names(params), snaps[: len(ys)], np.array(ys),
               np.array(dhs), np.array(radii) if cell == "rnn" else None, final, diverged,
               getattr(params, "activation", None), cell)  # fmt: skip
