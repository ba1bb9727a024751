"""Predict, then reveal: questions generated from the real computation, with the equation that answers each.

Five kinds, each drawn with its own settings from a seeded generator (`quiz(seed)`: the same seed gives the same
ten questions on every machine):

    next_h      today's memory h_T of one RNN unit (a number, scored by how close the guess was)
    direction   is tomorrow's prediction y_T higher or lower than today's price x_T
    vanish      does the gradient reaching the memory before day 1 vanish or explode, for a w_h and T
    which_day   which day's price moves the prediction most: the biggest |dy_T/dx_t| (from BPTT's dL/dx_t)
    which_cell  who remembers day 1 longer: the bigger gradient from day T back to day 1, simple RNN or LSTM
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from . import flow, network
from .explain import fmt, fmt_log10, fmt_operand, fmt_weight
from .figures import LIGHT, figure
from .models import rnn

COUNT = 10  # questions in a quiz
MAX_SEED = 999_999
MAX_GUESS = 1e6  # a typed number beyond this is not a guess
KINDS = ("next_h", "direction", "vanish", "which_day", "which_cell")
SUBSCRIPT = str.maketrans("0123456789T", "₀₁₂₃₄₅₆₇₈₉ₜ")
VANISH, EXPLODE, NEITHER = "vanishes (below 0.001)", "explodes (above 1,000)", "neither"
RNN, LSTM = "the simple RNN", "the LSTM"
HIGHER, LOWER = "higher", "lower"
ACTS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "identity": "no activation"}


@dataclass(frozen=True)
class Question:
    """A question: its prompt, the choices (empty for a number), the true answer (a choice, or a float), the
    equation with the real numbers that answers it, and the settings that show it on a page (`page`)."""

    kind: str
    prompt: str
    choices: tuple
    answer: object
    equation: str
    tolerance: float = 0.0  # a number within this of the answer is right
    page: str = "unroll"
    settings: Mapping = field(default_factory=dict, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))  # read-only: quiz is cached

    @property
    def numeric(self):
        return not self.choices


@dataclass(frozen=True)
class Verdict:
    """How a guess did: points in [0, 1] and a sentence that says why."""

    points: float
    sentence: str


def sub(name, day):
    """name with its day as a subscript: h₃."""
    return f"{name}{str(day).translate(SUBSCRIPT)}"


def prices_text(xs):
    return ", ".join(f"{x:g}" for x in xs)


def _prices(rng, days, low=0):
    """Prices on StatQuest's scale (0, 0.25, ..., 1), at least `low` quarters."""
    return rng.integers(low, 5, days) / 4


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _unit(w_x, w_h, b, w_y, b_y, act, xs):
    """The one-unit RNN's settings (as the pages name them) and its Params."""
    settings = {"w_x": w_x, "w_h": w_h, "b": b, "w_y": w_y, "b_y": b_y, "act": act, "seq": "typed",
                "typed": prices_text(xs)}  # fmt: skip
    return settings, rnn.Params.scalar(w_x, w_h, b, w_y, b_y, act)


def _describe(p):
    act = ACTS[p.activation]
    return f"w_x = {fmt_weight(p.w_x[0]).strip('()')}, w_h = {fmt_weight(p.W_h[0, 0]).strip('()')}, " \
           f"b = {fmt_weight(p.b[0]).strip('()')} ({act})"  # fmt: skip


def step_text(p, xs, tr, t):
    """'h₃ = ReLU(1.8 × 0.5 + (−0.5) × 0.9 + 0) = ReLU(0.45) = 0.45' for day t (0-based), from the trace."""
    act = rnn.ACTIVATIONS[p.activation].symbol
    h_prev = tr.s[t, 0, 0]  # h_{t-1}: the memory before day 1 too
    inner = f"{fmt_weight(p.w_x[0])} × {fmt_weight(xs[t])} + {fmt_weight(p.W_h[0, 0])} × {fmt_operand(h_prev)} + " \
            f"{fmt_weight(p.b[0])}"  # fmt: skip
    z, h = tr.z[t, 0], tr.h[t, 0]
    shown = f"{act}({inner}) = {act}({fmt(z)})" if act else f"{inner}"
    return f"{sub('h', t + 1)} = {shown} = {fmt(h)}"


def next_h(rng):
    """Today's memory, one step of the recurrence."""
    act = _pick(rng, ("relu", "tanh"))
    w_x, w_h, b = (
        _pick(rng, (1.8, 1.2, 0.9, 1.5)),
        _pick(rng, (-0.5, 0.5, 0.8, -1.0, 1.2)),
        _pick(rng, (0.0, 0.1, -0.2)),
    )
    xs = _prices(rng, int(rng.integers(2, 5)))
    settings, p = _unit(w_x, w_h, b, 1.1, 0.0, act, xs)
    tr, T = rnn.forward(p, xs), len(xs)
    prompt = (
        f"An RNN unit with {_describe(p)} reads the prices {prices_text(xs)}. Yesterday (day {T - 1}) its memory "
        f"was {sub('h', T - 1)} = {fmt(tr.h[T - 2, 0])}; today's price is {sub('x', T)} = {xs[-1]:g}. "
        f"What is today's memory {sub('h', T)}?"
    )
    h = float(tr.h[-1, 0])
    tolerance = max(0.02, 0.05 * abs(h))
    return Question("next_h", prompt, (), h, step_text(p, xs, tr, T - 1), tolerance, "unroll", settings)


def direction(rng):
    """Tomorrow's prediction against today's price."""
    for _ in range(50):  # a draw whose prediction sits within 0.05 of today's price is too close to call
        act = _pick(rng, ("relu", "tanh"))
        w_x, w_h = _pick(rng, (1.8, 1.2, 0.9, 1.5)), _pick(rng, (-0.5, 0.5, 0.8, -1.0))
        w_y, b_y = _pick(rng, (1.1, 0.8, 1.4)), _pick(rng, (0.0, 0.2, -0.2))
        xs = _prices(rng, int(rng.integers(2, 6)))
        settings, p = _unit(w_x, w_h, 0.0, w_y, b_y, act, xs)
        tr = rnn.forward(p, xs)
        y, x = float(tr.y[-1]), float(xs[-1])
        if abs(y - x) >= 0.05:
            break
    T = len(xs)
    answer = HIGHER if y > x else LOWER
    prompt = (
        f"An RNN unit with {_describe(p)}, w_y = {fmt_weight(w_y).strip('()')} and b_y = "
        f"{fmt_weight(b_y).strip('()')} reads the prices {prices_text(xs)}. Is its prediction for tomorrow, "
        f"{sub('y', T)}, higher or lower than today's price {sub('x', T)} = {x:g}?"
    )
    equation = (
        f"{step_text(p, xs, tr, T - 1)};  {sub('y', T)} = w_y × {sub('h', T)} + b_y = {fmt_weight(w_y)} × "
        f"{fmt_operand(tr.h[-1, 0])} + {fmt_weight(b_y)} = {fmt(y)}, {answer} than {x:g}"
    )
    return Question("direction", prompt, (HIGHER, LOWER), answer, equation, 0.0, "unroll", settings)


def vanish(rng):
    """The gradient over T days back: w_h^T times the slopes."""
    w_h = _pick(rng, (0.5, 0.8, 0.9, 0.95, 0.99, 1.01, 1.05, 1.1, 1.2, 1.5, 2.0))
    T = _pick(rng, (10, 20, 50, 100))
    act = _pick(rng, ("relu", "relu", "tanh"))
    xs = _prices(rng, T, low=1)
    settings, p = _unit(1.0, w_h, 0.0, 1.0, 0.0, act, xs)
    tr = rnn.forward(p, xs)
    log_reach = float(flow.reach(flow.jacobians(p, tr))[0])  # log10 |dh_T / dh_0|
    answer = VANISH if log_reach < -3 else EXPLODE if log_reach > 3 else NEITHER
    slopes = log_reach - T * math.log10(w_h)
    prompt = (
        f"An RNN unit with w_h = {w_h:g} and {ACTS[act]} reads {T} prices between 0.25 and "
        f"1 (w_x = 1, b = 0). On its way back from day {T} to the memory before day 1, does the gradient vanish, "
        "explode, or neither?"
    )
    equation = (
        f"∂{sub('h', T)}/∂{sub('h', 0)} = Π w_h·act′(z_t) = {w_h:g}^{T} × (the {T} slopes multiplied: "
        f"{fmt_log10(slopes)}) = {fmt_log10(log_reach)}: {answer.split(' (')[0]}"
    )
    return Question("vanish", prompt, (VANISH, EXPLODE, NEITHER), answer, equation, 0.0, "gradients", settings)


def which_day(rng):
    """The day whose price moves tomorrow's prediction most: |dy_T / dx_t| from backpropagation through time."""
    for _ in range(50):  # draws without a clear winner (by 15%) or with no gradient at all are skipped
        act = _pick(rng, ("relu", "relu", "tanh"))
        w_x, w_h = _pick(rng, (1.8, 1.0)), _pick(rng, (-0.5, 0.5, 0.9, 1.3, -1.2, 1.6))
        xs = _prices(rng, int(rng.integers(3, 6)), low=1)
        settings, p = _unit(w_x, w_h, 0.0, 1.1, 0.0, act, xs)
        tr = rnn.forward(p, xs)
        target = float(tr.y[-1]) - 1.0  # an error of 1, so dL/dx_t = dy_T/dx_t
        dx = rnn.backward(p, tr, target).dx / (float(tr.y[-1]) - target)
        top, second = np.sort(np.abs(dx))[::-1][:2]
        if top > 0 and top >= 1.15 * second:
            break
    T, best = len(xs), int(np.argmax(np.abs(dx)))
    days = tuple(f"day {t}" for t in range(1, T + 1))
    prompt = (
        f"An RNN unit with {_describe(p)} and w_y = 1.1 reads the prices {prices_text(xs)}. A small change to "
        f"which day's price moves its prediction for tomorrow, {sub('y', T)}, the most?"
    )
    each = ", ".join(f"day {t + 1}: {fmt(v)}" for t, v in enumerate(dx))
    equation = (
        f"∂{sub('y', T)}/∂x_t = w_y·act′(z_{T})·w_h·…·act′(z_t)·w_x, one more w_h·act′ for each day back: {each}; "
        f"the biggest in size is day {best + 1}"
    )
    return Question("which_day", prompt, days, days[best], equation, 0.0, "gradients", settings)


def which_cell(rng):
    """The simple RNN against the LSTM: whose gradient from day T reaches day 1 bigger (flow.reach)."""
    for _ in range(50):  # draws where the two lie within 3x of each other are too close to call
        T = _pick(rng, (10, 20, 30))
        w_h, act = _pick(rng, ((0.5, "tanh"), (0.9, "tanh"), (1.5, "tanh"), (1.0, "relu"), (0.95, "relu")))
        forget = _pick(rng, (None, -2.0, 0.0, 1.0, 3.0))  # None: StatQuest's LSTM
        xs = _prices(rng, T, low=1)
        seed = int(rng.integers(100))
        base = {"units": 1, "rho": 0.9, "seed": seed, "h0": 0.0, "w_x": 1.8, "w_h": w_h, "b": 0.0, "w_y": 1.1,
                "b_y": 0.0, "act": act}  # fmt: skip
        lstm_cell = {"cell": "lstm", "recipe": "statquest" if forget is None else "random"}
        lstm_cell["forget_bias"] = 1.0 if forget is None else forget
        cells = {RNN: {**base, "cell": "rnn", "recipe": "statquest", "forget_bias": 1.0}, LSTM: {**base, **lstm_cell}}
        reach = {}
        for name, v in cells.items():
            p = network.params(v)
            reach[name] = float(flow.reach(flow.jacobians(p, network.forward(v, p, xs)))[1])
        if abs(reach[RNN] - reach[LSTM]) >= math.log10(3):
            break
    answer = RNN if reach[RNN] > reach[LSTM] else LSTM
    lstm_named = "StatQuest's LSTM" if forget is None else f"an LSTM unit with a forget-gate bias of {forget:+g}"
    prompt = (
        f"A simple RNN unit (w_h = {w_h:g}, {ACTS[act]}) and {lstm_named} read the same {T} prices. From day {T}, "
        "whose gradient reaches day 1 bigger: who remembers day 1 longer?"
    )
    equation = (
        f"‖∂state_{T}/∂state₁‖, the product of {T - 1} step Jacobians: simple RNN {fmt_log10(reach[RNN])}, LSTM "
        f"{fmt_log10(reach[LSTM])}: {answer} remembers longer"
    )
    settings = {**cells[LSTM], "seq": "typed", "typed": prices_text(xs)}  # w_h and act: the simple RNN's
    return Question("which_cell", prompt, (RNN, LSTM), answer, equation, 0.0, "gradients", settings)


MAKERS = {"next_h": next_h, "direction": direction, "vanish": vanish, "which_day": which_day,
          "which_cell": which_cell}  # fmt: skip


@lru_cache(maxsize=64)  # pure and read-only; a class's every vote asks for its question (a quiz takes ~20 ms)
def quiz(seed, count=COUNT):
    """`count` questions from `seed` (0 .. MAX_SEED), each kind twice in ten, in an order the seed shuffles."""
    rng = np.random.default_rng([int(seed), 15])
    kinds = [KINDS[int(k)] for k in rng.permutation(np.resize(np.arange(len(KINDS)), count))]
    with np.errstate(all="ignore"):
        return tuple(MAKERS[kind](rng) for kind in kinds)


def checked(question, raw):
    """A guess as the question takes it: one of its choices, or a finite number (text or float) as canonical
    text; raises ValueError with a sentence otherwise."""
    if not question.numeric:
        if raw not in question.choices:
            raise ValueError("That answer is not one of the choices offered.")
        return raw
    try:
        value = float(str(raw).strip().replace("−", "-")) if len(str(raw)) <= 40 else math.nan
    except ValueError:
        raise ValueError("Type a number, like 0.45.") from None
    if not abs(value) <= MAX_GUESS:  # also NaN
        raise ValueError(f"Type a number between −{MAX_GUESS:,.0f} and {MAX_GUESS:,.0f}.")
    return f"{value:.6g}"


def verdict(question, guess):
    """How `guess` (a checked answer) did."""
    if not question.numeric:
        if guess == question.answer:
            return Verdict(1.0, f"Right: {question.answer}.")
        return Verdict(0.0, f"Not quite: the answer is {question.answer}.")
    off = abs(float(guess) - question.answer)
    close = f"the answer is {fmt(question.answer)}; you were off by {fmt(off)}"
    if off <= question.tolerance:
        return Verdict(1.0, f"Right: {close} (within {fmt(question.tolerance)} counts as right).")
    if off <= 3 * question.tolerance:
        return Verdict(0.5, f"Close: {close} (half a point within {fmt(3 * question.tolerance)}).")
    return Verdict(0.0, f"Not quite: {close}.")


def distribution(question, answers):
    """[(label, count)] of the answers given: every choice in order, or the numbers rounded to 2 significant
    digits, smallest first."""
    if not question.numeric:
        return [(c, sum(a == c for a in answers)) for c in question.choices]
    counts = {}
    for a in answers:
        key = float(f"{float(a):.2g}")
        counts[key] = counts.get(key, 0) + 1
    return [(fmt(k, 2), counts[k]) for k in sorted(counts)]


RIGHT, WRONG, WAITING = "#01665e", "#8c510a", "#9aa0a6"  # teal, brown (colour-blind safe), grey: not yet


def tally_figure(question, answers, revealed):
    """The class's votes as horizontal bars, one per choice (or per rounded number); once `revealed`, the true
    answer's bar is teal and ticked ✓ (even with no votes) and the others brown (for a number: the bars within
    three times its tolerance, which still score)."""
    rows = distribution(question, answers)
    labels, counts = [label for label, _ in rows], [count for _, count in rows]
    if not revealed:
        right = [False] * len(rows)
    elif question.numeric:
        right = [abs(float(label.replace("−", "-")) - question.answer) <= 3 * question.tolerance for label in labels]
    else:
        right = [label == question.answer for label in labels]
    colors = [RIGHT if r else WRONG if revealed else WAITING for r in right]
    ticks = [f"{label} ✓" if r else label for label, r in zip(labels, right, strict=True)]
    bars = {
        "type": "bar",
        "orientation": "h",
        "y": labels,
        "x": counts,
        "marker": {"color": colors},
        "text": [str(c) for c in counts],
        "textposition": "outside",
        "hoverinfo": "x+y",
        "name": "votes",
    }
    xaxis = {"title": {"text": "votes"}, "range": [0, max(counts, default=0) * 1.15 + 1], "fixedrange": True}
    if max(counts, default=0) < 10:
        xaxis["dtick"] = 1
    layout = {
        **LIGHT,
        "height": 90 + 46 * max(len(rows), 2),
        "margin": {"l": 10, "r": 30, "t": 10, "b": 40},
        "xaxis": xaxis,
        "showlegend": False,
        "yaxis": {
            "autorange": "reversed",
            "automargin": True,
            "fixedrange": True,
            "type": "category",
            "tickvals": labels,
            "ticktext": ticks,
        },
    }
    return figure([bars], layout)


def score_figure(points):
    """Ten bars, one per question: 1 (right, teal), 0.5 (close, teal), 0 (wrong: a brown stub), or grey (not
    answered yet: a stub)."""
    heights = [0.04 if p is None or p == 0 else p for p in points]
    colors = [WAITING if p is None else RIGHT if p > 0 else WRONG for p in points]
    bars = {"type": "bar", "x": [f"Q{i + 1}" for i in range(len(points))], "y": heights, "marker": {"color": colors},
            "hovertext": ["not answered" if p is None else f"{p:g} point(s)" for p in points], "hoverinfo": "x+text",
            "name": "points"}  # fmt: skip
    layout = {**LIGHT, "height": 220, "margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "showlegend": False,
              "yaxis": {"title": {"text": "points"}, "range": [0, 1.05], "tickvals": [0, 0.5, 1], "fixedrange": True},
              "xaxis": {"type": "category", "fixedrange": True}}  # fmt: skip
    return figure([bars], layout)
