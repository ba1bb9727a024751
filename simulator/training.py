"""Everything the Train page shows, computed in one place: the series to learn, the run, and its story."""

from dataclasses import dataclass

import numpy as np

from . import state
from .data import stocks
from .explain import fmt
from .models.rnn import Params, forward
from .train import NAMES, STATQUEST, Scale, epochs_allowed, initial, train
from .train_figures import training

TICKER_COLORS = {"GOOG": "#0072B2", "AAPL": "#D55E00", "AMZN": "#009E73", "FB": "#CC79A7", "NFLX": "#E69F00",
                 "MSFT": "#56B4E9"}  # fmt: skip


@dataclass(frozen=True)
class Series:
    """Prices to learn (T,) in their own unit, with a label, a colour, and a date per price (or None);
    `own_scale` when they are already on StatQuest's 0..1 scale (the companies, typed prices): never rescaled;
    `period`: what one price is, a 'day' or a 'week'."""

    label: str
    color: str
    prices: np.ndarray
    unit: str
    dates: tuple | None = None
    own_scale: bool = False
    period: str = "day"


def stock(ticker, first, last):
    """Weekly closes of `ticker` from week `first` to week `last` ('YYYY-MM-DD'), relative to 2018-01-01."""
    weeks, closes = stocks()
    a, b = weeks.index(first), weeks.index(last) + 1
    return Series(ticker, TICKER_COLORS[ticker], closes[ticker][a:b], "× its close on 2018-01-01", weeks[a:b],
                  period=period("stock"))  # fmt: skip


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


def period(source):
    """What one price of data `source` is: the stocks are weekly closes, the rest days."""
    return "week" if source == "stock" else "day"


def task_labels(source):
    """The task's choices in the words of `source`'s period: {'all': 'every next week', 'last': ...}."""
    one = period(source)
    return {"all": f"every next {one}", "last": "only tomorrow" if one == "day" else f"only the next {one}"}


def caption(setup):
    """What the figure's panels show, in the words of the data's scale and period."""
    one, scale = setup.series.period, setup.scale
    if not scale.identity:
        prices = "the prices (scaled to 0..1, the original units on the right)"
    elif setup.series.own_scale and setup.series.unit == "on StatQuest's scale":
        prices = "the prices (on StatQuest's scale: 0 = low, 1 = high)"
    else:
        prices = f"the prices ({setup.series.unit}, not rescaled)"
    return (
        f"Top: {prices} and the prediction for each next {one}, dashed, with the star on the {one} after the data. "
        f"Middle: the loss per epoch. Bottom: brighter is a bigger gradient; dark on the early {one}s means the "
        "error barely reaches them (vanishing)."
    )


def figure(setup, run, epoch=-1):
    """The animated figure of the run, showing the snapshot nearest to `epoch` (-1: the last)."""
    s = setup.series
    return training(run, setup.scale.scaled(s.prices), setup.scale, s.label, s.color, epoch, s.period)


def _loss(v):
    """A loss as a learner reads it: 4 decimals, or scientific notation when smaller; exactly 0 said so."""
    return "exactly 0" if v == 0 else fmt(v, 4)


def targets(setup):
    """What the loss compares the predictions with: every next price ('all') or tomorrow's alone ('last')."""
    xs = setup.scale.scaled(setup.series.prices)
    return xs[1:] if setup.settings["task"] == "all" else xs[-1:]


def died(setup, run):
    """The epoch from which the ReLU is dead (every h_t is 0, so w_x, w_h, b and w_y get no gradient and stay
    put for the rest of the run), or None. It takes at least one epoch without a move to call it dead."""
    if run.activation != "relu" or len(run.theta) < 2:
        return None
    moved = np.flatnonzero((np.diff(run.theta[:, :4], axis=0) != 0).any(axis=1))
    epoch = int(moved[-1]) + 1 if len(moved) else 0
    if epoch >= len(run.theta) - 1:
        return None
    h = forward(Params.scalar(*run.theta[epoch], "relu"), setup.scale.scaled(setup.series.prices)[:-1]).h
    return epoch if not h.any() else None


def _last(run):
    """The index of the run's last finite weights."""
    return len(run.theta) - 1 if run.diverged is None else max(run.diverged - 1, 0)


def _dead_relu(setup, run):
    """The dead ReLU's story, from the run's numbers, or ''. The prediction is then b_y on every day, and a step
    moves b_y by -lr (b_y - mean target): it multiplies b_y's distance from the mean by 1 - lr (unless clipped)."""
    epoch = died(setup, run)
    if epoch is None:
        return ""
    w = ", ".join(f"{n} = {fmt(v, 3)}" for n, v in zip(NAMES[:4], run.theta[epoch, :4], strict=True))
    period = setup.series.period
    said = (
        f"\n\n:material/heart_broken: **The ReLU died at epoch {epoch}**: every {period}'s z = w_x·x + w_h·h + b "
        f"is below 0, so every h is 0 and w_x, w_h, b and w_y get no gradient: they stay at {w}. Only b_y still "
        f"moves, and the prediction is b_y on every {period}"
    )
    b_y = run.theta[epoch : _last(run) + 1, 4]
    mean = float(np.mean(targets(setup)))
    who = f"the last {period}'s price" if setup.settings["task"] == "last" else "the mean price"
    if len(b_y) < 3 or b_y[0] == mean:
        return said + "."
    dist = b_y - mean
    if abs(dist[-1]) < 1e-3:
        return f"{said}: it settles on {who}, {fmt(mean, 3)}, and the prediction is a flat line there."
    if setup.settings["clip"] == "none":
        factor = float(dist[1] / dist[0])
        step = f"each epoch multiplies b_y's distance from {who} ({fmt(mean, 3)}) by {fmt(factor, 3)}"
        step += f" (1 − lr = 1 − {setup.settings['lr']:g})"
        if abs(factor) < 1:
            return f"{said}: {step}, so it settles there and the prediction is a flat line, not the prices' pattern."
        turn = "flips sign and grows" if factor < 0 else "grows"
        return f"{said}: {step}, so b_y overshoots (the learning rate is too big) and {turn}, to {fmt(b_y[-1], 3)}."
    tail = b_y[-10:]
    return (
        f"{said}: its step is clipped, but still too big: over the last epochs b_y jumps from side to side of "
        f"{who} ({fmt(mean, 3)}), between {fmt(tail.min(), 3)} and {fmt(tail.max(), 3)}."
    )


def _fit(setup, run):
    """How good the final loss is, against the simple guesses it should beat; or what the loss cannot see."""
    xs, loss = setup.scale.scaled(setup.series.prices), run.loss[len(run.loss) - 1]
    unit = setup.series.period
    if setup.settings["task"] == "last":
        y = forward(Params.scalar(*run.final, run.activation), xs[:-1]).y
        said = (
            f" The loss measures one prediction only, the last {unit}'s, so it can reach 0 without learning the prices"
        )
        spread, span = float(np.ptp(y)), float(np.ptp(xs)) or 1.0
        if spread < 0.1 * span:
            return (
                f"{said}. Here the network predicts {fmt(y.min(), 3)} to {fmt(y.max(), 3)} whatever the {unit}, while "
                f"the prices span {fmt(xs.min(), 3)} to {fmt(xs.max(), 3)}: it learned a constant, not the pattern."
            )
        return f"{said}: the other {unit}s' predictions are not trained."
    target = xs[1:]
    constant = 0.5 * float(np.mean((target - target.mean()) ** 2))
    same = 0.5 * float(np.mean((target - xs[:-1]) ** 2))
    beats = [name for name, v in (("the mean", constant), (f"the last {unit}'s price", same)) if loss < v]
    verdict = "it beats both" if len(beats) == 2 else f"it beats only {beats[0]}" if beats else "it beats neither"
    return (
        f" A constant guess at the mean price scores {_loss(constant)}, and guessing each {unit}'s price is the "
        f"last {unit}'s scores {_loss(same)}: {verdict}."
    )


def headline(setup, run):
    """What happened, from the run's numbers: how far the loss fell and against which guesses, or where training
    broke and why; and whether the ReLU died."""
    s, loss = setup.settings, run.loss
    if run.diverged is not None:
        clip = "turn on gradient clipping" if s["clip"] == "none" else "lower the clipping threshold"
        theta = run.theta[run.diverged]
        what = (
            "the weights overflowed float64"
            if not np.isfinite(theta).all()
            else f"the loss overflowed float64: the weights are finite (the biggest is {fmt(np.abs(theta).max(), 3)})"
            ", but the sum of the errors squared is beyond float64's largest number, 1.8e308"
        )
        return (
            f":material/error: **Training broke at epoch {run.diverged}**: {what}. Each step overshot and the next "
            f"gradient was bigger still. Try a smaller learning rate (now {s['lr']:g}) or {clip}."
            + _dead_relu(setup, run)
        )
    first, last = loss[0], loss[-1]
    verb = "fell" if last < first else "rose"
    said = f"In {len(loss) - 1:,} epochs the loss {verb} from **{_loss(first)}** to **{_loss(last)}**"
    if verb == "rose":
        return said + ": the steps are too big, try a smaller learning rate." + _dead_relu(setup, run)
    ratio = f" ({fmt(first / last)}× smaller)." if last > 0 else "."
    return said + ratio + _fit(setup, run) + _dead_relu(setup, run)


def prediction(setup, run):
    """'After training, GOOG's next price is predicted at 0.87 on the 0..1 scale (1.21 × its close on ...).'"""
    scale = setup.scale
    y = forward(Params.scalar(*run.final, setup.activation), scale.scaled(setup.series.prices)).y[-1]
    own = f" ({fmt(scale.price(y), 3)} {setup.series.unit})" if not scale.identity else ""
    period = setup.series.period
    when = f"the {period} after {setup.series.dates[-1]}" if setup.series.dates else f"the next {period}"
    who = (
        "The trained network predicts"
        if run.diverged is None
        else f"The last finite weights (epoch {_last(run)}) predict"
    )
    return f"{who} **{fmt(y, 3)}** for {when}{' on the 0..1 scale' if not scale.identity else ''}{own}."


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


def clipping_setups():
    """The runs the page's 'What to notice' tells of: GOOG at learning rate 3 for 1,000 epochs from StatQuest's
    weights, unclipped, clipped by norm at the default threshold, and at 0.1."""
    base = {**{s.name: s.default for s in state.TRAINING}, "lr": 3.0, "epochs": 1000}
    series = stock("GOOG", state.START.default, state.END.default)
    clips = ({}, {"clip": "norm"}, {"clip": "norm", "clip_at": 0.1})
    return [Setup(series, STATQUEST, "relu", {**base, **clip}) for clip in clips]


def _outcome(run):
    """'training breaks at epoch 509', 'the loss rises from 0.0237 to 37.248' or 'the loss falls ...'."""
    if run.diverged is not None:
        return f"training breaks at epoch {run.diverged}, the loss beyond float64"
    first, last = run.loss[0], run.loss[-1]
    return f"the loss {'falls' if last < first else 'rises'} from {_loss(first)} to {_loss(last)}"


def clipping_notice(setups, runs):
    """The 'too big a step' point of 'What to notice', from the runs of `clipping_setups()`."""
    (_, unclipped), (clipped_setup, clipped), (small_setup, small) = zip(setups, runs, strict=True)
    return (
        "- **Too big a step explodes.** Set the learning rate to 3 and the epochs to 1,000 with the GOOG prices: "
        f"{_outcome(unclipped)}. Clipping the gradient by norm makes every step at most lr × the threshold long, "
        f"which is not always short enough: at the threshold {clipped_setup.settings['clip_at']:g} "
        f"{_outcome(clipped)}; at {small_setup.settings['clip_at']:g} {_outcome(small)}."
    )


def vanishing_setups():
    """The runs behind 'Vanishing, in the heatmap': GOOG with tanh from StatQuest's weights, only the next week's
    error measured, then every next week's."""
    base = {s.name: s.default for s in state.TRAINING}
    series = stock("GOOG", state.START.default, state.END.default)
    return [Setup(series, STATQUEST, "tanh", {**base, "task": task}) for task in ("last", "all")]


def vanishing_notice(setups, runs):
    """The 'vanishing' point of 'What to notice', from the first epoch of the runs of `vanishing_setups()`: how
    much of the gradient that reaches the last week reaches the first."""
    (last, only), (_, every) = zip(setups, runs, strict=True)
    one = last.series.period
    share = [run.dh[0, 0] / run.dh[0, -1] for run in (only, every)]
    return (
        f"- **Vanishing, in the heatmap.** With tanh and only the next {one}'s error measured, the gradient reaching "
        f"the first {one} is {fmt(share[0])} times the one reaching the last (epoch 0): tanh's slope below 1 "
        f"shrinks it on every step back, and those early {one}s teach the network nothing. Measure every next "
        f"{one} and each {one} has its own error close by: the first {one} gets {fmt(share[1])} times the last's. "
        f"Truncating BPTT to k {one}s cuts the long path off on purpose."
    )
