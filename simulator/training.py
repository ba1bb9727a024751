"""Everything the Train page shows, computed in one place: the series to learn, the run, and its story."""

from dataclasses import dataclass

import numpy as np

from . import state
from .data import stocks
from .explain import fmt
from .models.rnn import Params, forward
from .train import NAMES, Scale, epochs_allowed, initial, train
from .train_figures import training

TICKER_COLORS = {"GOOG": "#0072B2", "AAPL": "#D55E00", "AMZN": "#009E73", "FB": "#CC79A7", "NFLX": "#E69F00",
                 "MSFT": "#56B4E9"}  # fmt: skip


@dataclass(frozen=True)
class Series:
    """Prices to learn (T,) in their own unit, with a label, a colour, and a date per price (or None);
    `own_scale` when they are already on StatQuest's 0..1 scale (the companies, typed prices): never rescaled."""

    label: str
    color: str
    prices: np.ndarray
    unit: str
    dates: tuple | None = None
    own_scale: bool = False


def stock(ticker, first, last):
    """Weekly closes of `ticker` from week `first` to week `last` ('YYYY-MM-DD'), relative to 2018-01-01."""
    weeks, closes = stocks()
    a, b = weeks.index(first), weeks.index(last) + 1
    return Series(ticker, TICKER_COLORS[ticker], closes[ticker][a:b], "× its close on 2018-01-01", weeks[a:b])


@dataclass(frozen=True)
class Setup:
    """A run's whole input: the series, the start, and the training settings (by their `state` names)."""

    series: Series
    theta0: tuple
    activation: str
    settings: dict

    @property
    def scale(self):
        rescale = self.settings["scale"] == "minmax" and not self.series.own_scale
        return Scale.minmax(self.series.prices) if rescale else Scale()

    @property
    def epochs(self):
        return epochs_allowed(self.settings["epochs"], len(self.series.prices))


def start(settings, current):
    """theta to start from, given the settings and the `current` weights {name: value}."""
    return tuple(initial(settings["init"], settings["seed"], [current[n] for n in NAMES]).tolist())


def run(setup):
    """Train as `setup` says; returns the `train.Run`."""
    s = setup.settings
    xs = setup.scale.scaled(setup.series.prices)
    return train(xs, setup.theta0, setup.activation, s["task"], s["lr"], setup.epochs, s["clip"], s["clip_at"],
                 s["k"] or None)  # fmt: skip


def figure(setup, run, epoch=-1):
    """The animated figure of the run, showing the snapshot nearest to `epoch` (-1: the last)."""
    s = setup.series
    return training(run, setup.scale.scaled(s.prices), setup.scale, s.label, s.color, epoch)


def headline(setup, run):
    """What happened, in one sentence: how far the loss fell, or where training broke and what to try."""
    s, loss = setup.settings, run.loss
    if run.diverged is not None:
        clip = "turn on gradient clipping" if s["clip"] == "none" else "lower the clipping threshold"
        return (
            f"💥 **Training broke at epoch {run.diverged}**: the {'loss' if not np.isfinite(loss[-1]) else 'weights'} "
            f"became ∞ or NaN (not a number). The gradients exploded: each step overshot, the next gradient was "
            f"bigger still, until float64 overflowed. Try a smaller learning rate (now {s['lr']:g}) or {clip}."
        )
    ratio = loss[0] / loss[-1] if loss[-1] > 0 else np.inf
    verb = "fell" if loss[-1] < loss[0] else "rose"
    return f"In {len(loss) - 1:,} epochs the loss {verb} from **{fmt(loss[0], 4)}** to **{fmt(loss[-1], 4)}**" + (
        f" ({fmt(ratio)}× smaller)." if verb == "fell" else ": the steps are too big, try a smaller learning rate."
    )


def prediction(setup, run):
    """'After training, GOOG's next price is predicted at 0.87 on the 0..1 scale (1.21 × its close on ...).'"""
    scale = setup.scale
    y = forward(Params.scalar(*run.final, setup.activation), scale.scaled(setup.series.prices)).y[-1]
    own = f" ({fmt(scale.price(y), 3)} {setup.series.unit})" if not scale.identity else ""
    when = f"the week after {setup.series.dates[-1]}" if setup.series.dates else "the next day"
    who = (
        "The trained network" if run.diverged is None else f"The last finite weights (epoch {max(run.diverged - 1, 0)})"
    )
    return f"{who} predicts **{fmt(y, 3)}** for {when}{' on the 0..1 scale' if not scale.identity else ''}{own}."


def clamped(theta):
    """The trained weights as settings {name: value} inside the sliders' ranges, and a notice per clamped one."""
    values, notices = {}, []
    for name, v in zip(NAMES, theta, strict=True):
        s = state.SETTINGS[name]
        values[name] = float(np.clip(v, s.lo, s.hi))
        if values[name] != v:
            notices.append(
                f"{name} = {fmt(v, 3)} is outside the pages' range {s.lo:g}..{s.hi:g}; set to {values[name]:g}."
            )
    return values, notices


def carried(setup, run):
    """The settings that show the trained network on the other pages: its weights, the scaled prices it read
    as typed prices, tomorrow's true price as the target and the task as the loss; plus notices."""
    values, notices = clamped(run.final)
    xs = setup.scale.scaled(setup.series.prices)
    target = float(np.clip(xs[-1], state.TARGET.lo, state.TARGET.hi))
    typed = ", ".join(f"{x:.6g}" for x in xs[:-1])
    values.update(act=setup.activation, seq="typed", typed=typed, loss=setup.settings["task"], target=target)
    return values, notices
