"""Everything the Train page shows, computed in one place: the series to learn, the run, and its story."""

import json
from dataclasses import dataclass, replace

import numpy as np

from . import network, spectra, state
from .data import STATQUEST_SCALE, Prices, stocks
from .explain import fmt
from .models import gru, lstm, rnn
from .models.rnn import Params
from .train_figures import run_figure
from .trainer import MODELS, NAMES, STATQUEST, Scale, epochs_allowed, fit, initial, windows, work

TICKER_COLORS = {"GOOG": "#0072B2", "AAPL": "#D55E00", "AMZN": "#009E73", "FB": "#CC79A7", "NFLX": "#E69F00",
                 "MSFT": "#56B4E9"}  # fmt: skip


def stock(ticker, first, last):
    """Weekly closes of `ticker` from week `first` to week `last` ('YYYY-MM-DD'), relative to 2018-01-01."""
    weeks, closes = stocks()
    a, b = weeks.index(first), weeks.index(last) + 1
    return Prices(ticker, TICKER_COLORS[ticker], closes[ticker][a:b], "× its close on 2018-01-01", weeks[a:b],
                  period=period("stock"))  # fmt: skip


def defaults(**settings):
    """Every setting a run reads (training, optimiser, network, the five weights), at its default on the Train page,
    then `settings`."""
    chosen = (*state.TRAINING, *state.OPTIMISE, *state.NETWORK, *state.WEIGHTS, state.ACTIVATION)
    return {**{s.name: s.default_on("train") for s in chosen}, **settings}


@dataclass(frozen=True)
class Setup:
    """A run's whole input: the series, the start (a Params of the cell), the settings (by their `state` names:
    training, optimiser and network) and the memory before the first price (None: 0)."""

    series: Prices
    start: object
    settings: dict
    h0: np.ndarray | None = None

    @property
    def cell(self):
        return self.settings["cell"]

    @property
    def activation(self):
        """The RNN's activation; None for the LSTM and the GRU (their gates are fixed)."""
        return getattr(self.start, "activation", None)

    @property
    def window(self):
        """Days a window holds, or None when learning from the whole series."""
        return self.settings["window"] if self.settings["learn"] == "windows" else None

    @property
    def scale(self):
        rescale = self.settings["scale"] == "minmax" and not self.series.own_scale
        return Scale.minmax(self.series.xs) if rescale else Scale()

    @property
    def epochs(self):
        days = len(self.series.xs)
        per_day = work(self.cell, self.start.n, days, self.window, self.settings["batch"])
        return epochs_allowed(self.settings["epochs"], days, per_day)

    def forward(self, params, xs):
        """The trace of `params` over the scaled prices xs, from this setup's memory h0."""
        return MODELS[self.cell].forward(params, xs, self.h0)


def start(settings):
    """(the Params to start from, h0) for `settings` (see `defaults`): StatQuest's (its five weights for the
    one-unit RNN, n copies of its unit for more, its LSTM at n = 1), random from the seed, or the network the
    network section builds ('current', with its h0)."""
    cell, n, init, seed = settings["cell"], settings["units"], settings["init"], settings["seed"]
    if init == "current":
        return network.params(settings), network.h0(settings)
    if cell == "rnn" and n == 1:
        current = [settings[name] for name in NAMES]
        return Params.scalar(*initial(init, seed, current), settings["act"]), None
    if cell == "rnn" and init == "statquest":
        return network.params({**settings, "recipe": "statquest", **dict(zip(NAMES, STATQUEST, strict=True))}), None
    if cell == "rnn":
        return rnn.Params.init(n, 1, seed, settings["act"]), None
    if cell == "lstm":
        statquest = init == "statquest" and n == 1
        return (lstm.Params.statquest() if statquest else lstm.Params.init(n, 1, seed, settings["forget_bias"])), None
    return gru.Params.init(n, 1, seed), None


def setup(series, settings):
    """The `Setup` of training on `series` as `settings` say."""
    params, h0 = start(settings)
    return Setup(series, params, settings, h0)


def start_said(setup):
    """Where the run starts, when the menu's words do not say it all; else ''."""
    s, cell = setup.settings, network.CELLS[setup.cell]
    if s["init"] != "statquest" or (setup.cell == "rnn") or (setup.cell == "lstm" and setup.start.n == 1):
        return ""
    what = "GRU" if setup.cell == "gru" else f"LSTM of {setup.start.n} units"
    return f"StatQuest has no {what}: the {cell} starts from PyTorch's random weights, drawn from seed {s['seed']}."


def run(setup):
    """Train as `setup` says; returns the `trainer.Run`."""
    s = setup.settings
    xs = setup.scale.scaled(setup.series.xs)
    return fit(setup.cell, setup.start, xs, s["loss"], s["lr"], setup.epochs, s["clip"], s["clip_at"],
               s["k"] or None, s["optimizer"], setup.window, s["batch"], s["seed"], setup.h0)  # fmt: skip


def period(source):
    """What one price of data `source` is: the stocks are weekly closes, the rest days."""
    return "week" if source == "stock" else "day"


def in_periods(text, source):
    """`text` about days in the words of `source`'s period ('Window (days)' -> 'Window (weeks)' for a stock)."""
    one = period(source)
    return text.replace("days", f"{one}s").replace("Days", f"{one.title()}s")


def caption(setup):
    """What the figure's panels show, in the words of the data's scale and period."""
    one, scale = setup.series.period, setup.scale
    if not scale.identity:
        prices = "the prices (scaled to 0..1, the original units on the right)"
    elif setup.series.own_scale and setup.series.unit == STATQUEST_SCALE:
        prices = "the prices (on StatQuest's scale: 0 = low, 1 = high)"
    else:
        prices = f"the prices ({setup.series.unit}, not rescaled)"
    loss = "the loss per epoch" if setup.window is None else "the loss on the whole series after each epoch"
    if setup.start.n == 1 and setup.cell == "rnn":
        weights = "the five weights"
    else:
        weights = "each weight's size (its norm; a matrix's is the root of its squares' sum)"
        if setup.cell == "rnn":
            weights += f", and W_h's spectral radius ρ beside the 1/γ line ({fmt(1 / gamma(setup), 3)})"
    return (
        f"Top: {prices} and the prediction for each next {one}, dashed, with the star on the {one} after the data. "
        f"Middle: {loss}, then {weights}. Bottom: brighter is a bigger gradient; dark on the early {one}s means the "
        "error barely reaches them (vanishing)."
    )


def gamma(setup):
    """The most the RNN's activation's slope can be (1 for tanh and ReLU, 1/4 for the sigmoid)."""
    return rnn.ACTIVATIONS[setup.activation].gamma


def figure(setup, run, epoch=-1, beside=None):
    """The animated figure of the run, showing the snapshot nearest to `epoch` (-1: the last); `beside`: the
    run of `baseline(setup)` whose loss the loss chart draws beside this one's (None: none)."""
    s = setup.series
    limit = 1 / gamma(setup) if setup.cell == "rnn" else None
    other = (BASELINE, beside.loss) if beside is not None else None
    return run_figure(run, setup.scale.scaled(s.xs), setup.scale, s.label, s.color, epoch, s.period, limit, other)


BASELINE = "gradient descent, whole series"


def baseline(setup):
    """The same run as plain gradient descent on the whole series (today's way), for as many epochs; None when
    `setup` trains that way already."""
    s = setup.settings
    if s["optimizer"] == "sgd" and s["learn"] == "series":
        return None
    return replace(setup, settings={**s, "optimizer": "sgd", "learn": "series", "epochs": setup.epochs})


def compared(setup, run, base_run):
    """A sentence comparing the run's final loss with the baseline's (see `baseline`), from their numbers."""
    s = setup.settings
    how = {"sgd": "Gradient descent", "momentum": "Momentum", "adam": "Adam"}[s["optimizer"]]
    if setup.window is not None:
        how += f" on windows of {setup.window} {setup.series.period}s"
    mine, theirs = run.loss[len(run.loss) - 1], base_run.loss[len(base_run.loss) - 1]
    if not (np.isfinite(mine) and np.isfinite(theirs)):
        broke = [name for name, r in (("this run", run), ("gradient descent", base_run)) if r.diverged is not None]
        return f"Beside it, dashed: plain gradient descent on the whole series; {' and '.join(broke)} broke."
    ratio = 1.0 if mine == theirs else theirs / mine if mine > 0 else np.inf
    verdict = f"{fmt(ratio, 3)}× lower" if ratio > 1 else f"{fmt(1 / ratio, 3)}× higher" if ratio < 1 else "the same"
    return (
        f"Beside it, dashed: plain gradient descent on the whole series, same start and learning rate "
        f"({s['lr']:g}), ends at {_loss(theirs)}; {how} ends at {_loss(mine)}, {verdict}."
    )


def _loss(v):
    """A loss as a learner reads it: 4 decimals, or scientific notation when smaller; exactly 0 said so."""
    return "exactly 0" if v == 0 else fmt(v, 4)


def targets(setup):
    """What the loss compares the predictions with: every next price ('all') or tomorrow's alone ('last')."""
    xs = setup.scale.scaled(setup.series.xs)
    return xs[1:] if setup.settings["loss"] == "all" else xs[-1:]


def died(setup, run):
    """The epoch from which the ReLU is dead (every h_t is 0, so w_x, w_h, b and w_y get no gradient and stay
    put for the rest of the run), or None. It takes at least one epoch without a move to call it dead."""
    if run.activation != "relu" or not run.one_unit or len(run.theta) < 2:
        return None
    moved = np.flatnonzero((np.diff(run.theta[:, :4], axis=0) != 0).any(axis=1))
    epoch = int(moved[-1]) + 1 if len(moved) else 0
    if epoch >= len(run.theta) - 1:
        return None
    h = setup.forward(Params.scalar(*run.theta[epoch], "relu"), setup.scale.scaled(setup.series.xs)[:-1]).h
    return epoch if not h.any() else None


def last(run):
    """The epoch of the run's last finite weights."""
    return len(run.weights) - 1 if run.diverged is None else max(run.diverged - 1, 0)


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
    b_y = run.theta[epoch : last(run) + 1, 4]
    mean = float(np.mean(targets(setup)))
    who = f"the last {period}'s price" if setup.settings["loss"] == "last" else "the mean price"
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
    xs, loss = setup.scale.scaled(setup.series.xs), run.loss[len(run.loss) - 1]
    unit = setup.series.period
    if setup.settings["loss"] == "last":
        y = setup.forward(run.final, xs[:-1]).y
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
        theta = run.weights[run.diverged]
        biggest = f"the biggest is {fmt(np.abs(theta).max(), 3)}"
        if not run.one_unit:
            biggest = f"the biggest, {run.names[int(np.abs(theta).argmax())]}, is {fmt(np.abs(theta).max(), 3)}"
        what = (
            "the weights overflowed float64"
            if not np.isfinite(theta).all()
            else f"the loss overflowed float64: the weights are finite ({biggest})"
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
    y = setup.forward(run.final, scale.scaled(setup.series.xs)).y[-1]
    own = f" ({fmt(scale.price(y), 3)} {setup.series.unit})" if not scale.identity else ""
    period = setup.series.period
    when = f"the {period} after {setup.series.dates[-1]}" if setup.series.dates else f"the next {period}"
    who = (
        "The trained network predicts"
        if run.diverged is None
        else f"The last finite weights (epoch {last(run)}) predict"
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
    """The settings that show the trained network on the other pages: the scaled prices it read as typed prices,
    tomorrow's true price as the target, the loss, and the one-unit RNN's trained weights (clamped
    to the sliders, a notice each). Any other network goes as its settings (cell, units, recipe, seed, ...), a
    notice saying its trained weights stay here: a link carries only the one unit's five weights."""
    xs = setup.scale.scaled(setup.series.xs)
    target = float(np.clip(xs[-1], state.TARGET.lo, state.TARGET.hi))
    typed = ", ".join(f"{x:.6g}" for x in xs[:-1])
    values = dict(seq="typed", typed=typed, loss=setup.settings["loss"], target=target)
    if not run.one_unit:
        values |= {s.name: setup.settings[s.name] for s in (*state.NETWORK, state.ACTIVATION)}
        n = setup.start.n
        return values, [
            f"The trained weights of this {network.CELLS[setup.cell]} ({n:,} unit{'s' if n > 1 else ''}) stay on "
            "this page (download them to keep them): a link carries only the one-unit RNN's five weights. The "
            "buttons take the prices and the network's settings along."
        ]
    weights, notices = clamped(run.theta[last(run)])
    return values | weights | dict(cell="rnn", units=1, recipe="statquest", act=setup.activation), notices


def clipping_setups():
    """The runs the page's 'What to notice' tells of: GOOG at learning rate 3 for 1,000 epochs from StatQuest's
    weights, unclipped, clipped by norm at the default threshold, and at 0.1."""
    series = stock("GOOG", state.START.default, state.END.default)
    clips = ({}, {"clip": "norm"}, {"clip": "norm", "clip_at": 0.1})
    return [setup(series, defaults(lr=3.0, epochs=1000, act="relu", **clip)) for clip in clips]


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
    series = stock("GOOG", state.START.default, state.END.default)
    return [setup(series, defaults(act="tanh", loss=loss)) for loss in ("last", "all")]


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


def weights_table(setup, run):
    """The weights' table {column: [text]}: the one-unit RNN's five weights at the start and trained; for any
    other network each weight's shape and norm."""
    final = run.weights[last(run)]
    if run.one_unit:
        return {"weight": list(NAMES), "start": [fmt(v, 4) for v in run.weights[0]],
                "trained": [fmt(v, 4) for v in final]}  # fmt: skip
    shapes = [" × ".join(map(str, np.shape(getattr(setup.start, name)))) or "1" for name in setup.start.NAMES]
    start = [fmt(v, 4) for v in run.weights[0]]
    return {"weight": list(setup.start.NAMES), "shape": shapes, "norm at the start": start,
            "trained": [fmt(v, 4) for v in final]}  # fmt: skip


def steps_said(setup, run):
    """How each epoch learns, from the run's numbers: the optimiser, and the whole series or its windows."""
    s, one = setup.settings, setup.series.period
    how = {"sgd": "plain gradient descent", "momentum": "gradient descent with momentum", "adam": "Adam"}[
        s["optimizer"]
    ]
    epochs = len(run.loss) - 1
    if setup.window is None:
        return f"Each epoch is one step of {how} on the whole series: {epochs:,} steps."
    inputs, _ = windows(setup.scale.scaled(setup.series.xs), setup.window, s["loss"])
    days, count = inputs.shape
    per = -(-count // s["batch"])
    return (
        f"Each epoch cuts the series into its {count:,} windows of {days:,} {one}s, shuffles them (seed {s['seed']}) "
        f"and takes one step of {how} per batch of up to {s['batch']:,}: {per:,} steps an epoch, "
        f"{per * epochs:,} in all. Each window starts from an empty memory; the loss is measured on the whole series."
    )


def radius_said(setup, run):
    """What W_h's spectral radius did over the run, against 1/gamma, and what its largest singular value says;
    '' for the one-unit RNN and the gated cells."""
    if setup.cell != "rnn" or run.one_unit:
        return ""
    limit, r = 1 / gamma(setup), run.radius
    first, last = r[0], r[len(r) - 1]
    spectrum = spectra.spectrum(run.final.W_h, setup.activation)
    sigma = spectrum.norm
    side = "below" if last < limit else "above"
    verdict = (
        "below it too, so the gradient must vanish as it goes back"
        if spectrum.rate < 1
        else "above it, so the gradient may grow as it goes back (it need not)"
    )
    return (
        f"- **W_h's spectral radius.** ρ(W_h) went from {fmt(first, 3)} to {fmt(last, 3)} over "
        f"{int(run.snaps[-1]):,} epochs, {side} 1/γ = {fmt(limit, 3)}. ρ alone decides nothing for sure (a W_h with "
        f"ρ = 0 can still double the gradient every step back); its largest singular value σ_max = {fmt(sigma, 3)} "
        f"is {verdict}."
    )


NETWORK_FORMAT = "unrolled-network/1"
MAX_NETWORK_BYTES = 2_000_000  # a 64-unit LSTM's file is ~0.4 MB


def network_json(setup, run):
    """The trained network (its last finite weights) as JSON: cell, units, activation and every weight's numbers
    (floats written exactly, so they round-trip)."""
    p = run.final
    out = {"format": NETWORK_FORMAT, "cell": setup.cell, "units": p.n}
    if setup.activation:
        out["activation"] = setup.activation
    out |= {name: np.asarray(getattr(p, name)).tolist() for name in p.NAMES}
    return json.dumps(out, indent=1, allow_nan=False) + "\n"


def network_file(raw):
    """'an LSTM of 8 units' when `raw` is a file `network_json` wrote, else None."""
    try:
        obj = json.loads(raw[:MAX_NETWORK_BYTES].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("format") != NETWORK_FORMAT or obj.get("cell") not in network.CELLS:
        return None
    units = obj.get("units")
    count = f"{units:,} unit{'s' if units != 1 else ''}" if isinstance(units, int) else "some units"
    return f"{'an' if obj['cell'] == 'lstm' else 'a'} {network.CELLS[obj['cell']]} of {count}"
