"""Why LSTM, in numbers and sentences: StatQuest's LSTM day by day with the real numbers of each gate's equation,
the simple RNN, the LSTM and the GRU on the same prices, how far each one's gradient reaches back, and why
clipping cannot bring a vanished gradient back.

A day's gradient reach is log10 of the most that a unit of gradient on day T's memory (h, and the LSTM's c) is
multiplied by on its way back to day t's memory (`flow.reach`: the product of the step Jacobians' largest
singular value; t = 0 is the memory before day 1), so 0.7^1000 is -154.9, never 0.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import bptt, flow, network, race, state
from .data import BLUE
from .explain import fmt, fmt_log10
from .models import lstm

COMPANIES = {"A": (0.0, 0.5, 0.25, 1.0), "B": (1.0, 0.5, 0.25, 1.0)}  # StatQuest's two companies, four days each
ONE_STEP = {"C": 2.0, "h": 1.0, "x": 1.0}  # StatQuest's worked step: C' = 2.948, h' = 0.986
STAGES = (  # (trace field, row in PyTorch's i, f, g, o order, activation, StatQuest's name)
    ("f", 1, "σ", "% of long-term memory to remember"),
    ("i", 0, "σ", "% of potential memory to remember"),
    ("g", 2, "tanh", "potential long-term memory"),
    ("o", 3, "σ", "% of potential short-term memory to remember"),
)
LONG, SHORT = "long-term memory C", "short-term memory h"
WELL_BELOW = 0.9  # a forget gate whose geometric mean is below this lets the cell path's gradient vanish too
CELLS = ("rnn", "lstm", "gru")


def sq(v):
    """A number as StatQuest writes it: 3 decimals, 2 significant digits below 0.01 (0.0064), a whole number as
    it is (2), a true minus."""
    v = float(v)
    if v == int(v):
        return f"{int(v)}".replace("-", "−")
    s = f"{v:.2g}" if abs(v) < 0.01 else f"{v:.3f}"
    return s.replace("-", "−")


def _given(v):
    """An input as given: 0, 0.5, 0.25, 1; in parentheses when negative."""
    s = f"{float(v):g}".replace("-", "−")
    return f"({s})" if s.startswith("−") else s


def _operand(v):
    s = sq(v)
    return f"({s})" if s.startswith("−") else s


def _term(w, operand, first=False):
    """'2.70 × 0.5' or '− 0.19 × 0.5': a weight times an operand, its sign written as the operation."""
    sign = "−" if w < 0 else "+"
    body = f"{abs(w):.2f} × {operand}"
    return (f"−{body}" if w < 0 else body) if first else f" {sign} {body}"


def _bias(b):
    return f" {'−' if b < 0 else '+'} {abs(b):.2f}"


@dataclass(frozen=True)
class Day:
    """One day of StatQuest's LSTM: the input, the memories it starts from, and each stage's equation with its
    real numbers, by StatQuest's name."""

    x: float
    C_prev: float
    h_prev: float
    C: float
    h: float
    equations: dict


def days(xs, C0=0.0, h0=0.0):
    """StatQuest's LSTM over xs from long-term memory C0 and short-term memory h0: one `Day` each."""
    p = lstm.Params.statquest()
    tr = lstm.forward(p, xs, h0=[h0], c0=[C0])
    out, C_prev, h_prev = [], C0, h0
    for t, x in enumerate(xs):
        eq = {}
        for field, row, act, name in STAGES:
            inside = _term(p.W_h[row, 0], _operand(h_prev), first=True) + _term(p.w_x[row], _given(x)) + _bias(p.b[row])
            eq[name] = f"{act}({inside}) = {sq(getattr(tr, field)[t, 0])}"
        f, i, g, o = (getattr(tr, k)[t, 0] for k in "figo")
        C, h = tr.c[t, 0], tr.h[t, 0]
        eq[LONG] = f"{_operand(C_prev)} × {sq(f)} + {sq(i)} × {_operand(g)} = {sq(C)}"
        eq[SHORT] = f"{sq(o)} × tanh({sq(C)}) = {sq(h)}"
        out.append(Day(float(x), float(C_prev), float(h_prev), float(C), float(h), eq))
        C_prev, h_prev = C, h
    return out


def company(name):
    """The days of company `name` ('A' or 'B') from both memories at 0."""
    return days(COMPANIES[name])


def one_step():
    """StatQuest's one step from C = 2, h = 1, x = 1."""
    return days([ONE_STEP["x"]], ONE_STEP["C"], ONE_STEP["h"])[0]


def stage_table(columns):
    """{column title: Day} -> {column: [text]}: one row per stage, by StatQuest's name, each with its equation."""
    names = [name for *_, name in STAGES] + [LONG, SHORT]
    return {"stage": names, **{title: [day.equations[name] for name in names] for title, day in columns.items()}}


def company_table(name):
    """Company `name`'s days as a `stage_table`, one column a day with its price."""
    return stage_table({f"day {t} · x = {_given(d.x)}": d for t, d in enumerate(company(name), 1)})


def _prices(xs):
    return "[" + ", ".join(_given(x) for x in xs) + "]"


def companies_sentence():
    """How each company ends: its last short-term memory, which is StatQuest's prediction for tomorrow."""
    ends = []
    for name, xs in COMPANIES.items():
        h = company(name)[-1].h
        ends.append(f"company {name} {_prices(xs)} ends with h = **{sq(h)}** (tomorrow: about {round(h):d})")
    return f"With the same weights, {ends[0]}; {ends[1]}."


def one_step_sentence():
    """StatQuest's worked step, its two results."""
    d = one_step()
    return (f"One step from C = {_given(d.C_prev)}, h = {_given(d.h_prev)} and x = {_given(d.x)} gives "
            f"C′ = **{sq(d.C)}** and h′ = **{sq(d.h)}**.")  # fmt: skip


# The three cells on the same prices


def prices(T):
    """T daily prices: the blue company's 9 days, repeated."""
    return np.resize(np.array(BLUE.xs), T)


@dataclass(frozen=True)
class Reading:
    """One cell over the prices: its trace, its gradient reach per day (T+1,) and, for the LSTM, the cell path's
    alone (T+1,) through its most open unit (the one whose forget gates multiply to the most)."""

    cell: str
    params: object
    trace: object
    reach: np.ndarray
    cell_path: np.ndarray | None = None

    @property
    def name(self):
        return network.CELLS[self.cell]

    @property
    def days(self):
        return len(self.reach) - 1


USES = {  # the settings `network.params` and `network.forward` build each cell from
    "rnn": tuple(
        s.name for s in (state.UNITS, state.RECIPE, state.RHO, state.SEED, state.H0, *state.WEIGHTS, state.ACTIVATION)
    ),
    "lstm": tuple(s.name for s in (state.UNITS, state.RECIPE, state.SEED, state.FORGET_BIAS, state.H0)),
    "gru": tuple(s.name for s in (state.UNITS, state.RECIPE, state.SEED, state.H0)),
}


def statquest_lstm(values):
    """True when the network settings give StatQuest's own LSTM, whose forget-gate bias is its own (1.62)."""
    return values[state.UNITS.name] == 1 and values[state.RECIPE.name] == "statquest"


def read(cell, values, T):
    """`cell` built from the network settings `values` (its own cell setting aside) over `prices(T)`."""
    v = {**values, "cell": cell}
    p = network.params(v)
    tr = network.forward(v, p, prices(T))
    path = None
    if cell == "lstm":
        paths = flow.cell_path(tr)
        path = paths[:, int(np.argmax(paths[0]))]
    return Reading(cell, p, tr, flow.reach(flow.jacobians(p, tr)), path)


def forget_mean(lstm_run):
    """The geometric mean of the most open unit's forget gate over the days: the cell path multiplies by it T
    times, exactly."""
    return 10 ** (lstm_run.cell_path[0] / lstm_run.days)


def _per_day(log10_value, steps):
    return 10 ** (log10_value / steps)


def cut_day(r):
    """The last day whose step back multiplies by 0 (a ReLU that is off), so nothing reaches before it; or None."""
    cut = np.flatnonzero(r.reach == -math.inf)
    return int(cut[-1]) + 1 if cut.size else None


def _reached(r, log10_value):
    if log10_value == -math.inf:
        return (f"in the {r.name} by 0 (the path is cut on day {cut_day(r):,}: a unit whose slope is 0 passes "
                "nothing back)")  # fmt: skip
    return f"in the {r.name} by **{fmt_log10(log10_value)}** (×{fmt(_per_day(log10_value, r.days))} a day)"


def reach_sentence(readings):
    """The most a unit of gradient on day T's memory is multiplied by back to the memory before day 1, per cell."""
    by = {r.cell: r for r in readings}
    T, parts = readings[0].days, []
    for r in readings:
        said = _reached(r, r.reach[0])
        if r.cell == "lstm" and r.reach[0] > -math.inf:
            said += f"; along its cell path alone by {fmt_log10(r.cell_path[0])}"
        parts.append(said)
    lead = f"Back over all {T:,} days, a gradient on the last day's memory is multiplied at most: {'; '.join(parts)}."
    rnn, lstm_run = by["rnn"].reach[0], by["lstm"].reach[0]
    if rnn > -math.inf and lstm_run > rnn:
        lead += f" The LSTM keeps {fmt_log10(lstm_run - rnn)} times more of it than the simple RNN."
    return lead


def forget_sentence(lstm_run):
    """The honest part: the cell path is only a highway while the forget gate stays open."""
    f, T = forget_mean(lstm_run), lstm_run.days
    power = f"{f:.4g}{superscript(T)} = {fmt_log10(lstm_run.cell_path[0])}"
    if f < WELL_BELOW:
        return (f"The LSTM's forget gate stays well below 1: **{fmt(f)}** on average (the geometric mean over the "
                f"{T:,} days of its most open unit), and {power}. Its gradient vanishes as well: the cell path is "
                "a highway only while the gate stays open, and the gate has to learn to stay open (raise the "
                "forget-gate bias).")  # fmt: skip
    stuck = T * math.log10(0.7)
    return (f"The LSTM's forget gate stays near 1: **{fmt(f)}** on average (the geometric mean over the {T:,} days "
            f"of its most open unit), so its cell path multiplies the gradient by {power}. That is the highway, and "
            f"only while the gate stays open: a gate stuck at 0.7 would give 0.7{superscript(T)} = "
            f"{fmt_log10(stuck)}. Training has to teach the gate to stay open.")  # fmt: skip


def superscript(n):
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _span(values):
    return f"{fmt(np.min(values))} to {fmt(np.max(values))}"


def cells_sentence(readings):
    """What the three memories and their gates did over the same prices."""
    by = {r.cell: r for r in readings}
    lstm_tr, gru_tr = by["lstm"].trace, by["gru"].trace
    return (f"Over these {readings[0].days:,} days the simple RNN's memory h runs from {_span(by['rnn'].trace.h)}, "
            f"with no gate: all of it passes through w_h and the activation every day. The LSTM's forget gate f "
            f"runs from {_span(lstm_tr.f)} (arithmetic mean {fmt(lstm_tr.f.mean())}), its input gate i from "
            f"{_span(lstm_tr.i)}; "
            f"the GRU's update gate z, the share of the old memory it keeps, from {_span(gru_tr.z)} "
            f"(arithmetic mean {fmt(gru_tr.z.mean())}).")  # fmt: skip


# Clipping


@dataclass(frozen=True)
class Clipped:
    """A gradient before and after the core's clipping by norm and by value at `threshold`."""

    label: str
    gradient: np.ndarray
    by_norm: np.ndarray
    by_value: np.ndarray


DIRECTION = np.array([0.6, 0.8])  # a unit vector: the way the step should go


def clipped_cases(threshold=race.CLIP):
    """An exploded gradient, 1.1^100 (0.6, 0.8), and a vanished one, 0.4^100 (0.6, 0.8) = 1.6e-40 long, through
    `bptt.clip`."""
    cases = (("exploded: 1.1¹⁰⁰ × (0.6, 0.8)", 1.1**100), ("vanished: 0.4¹⁰⁰ × (0.6, 0.8)", 0.4**100))
    out = []
    for label, size in cases:
        g = size * DIRECTION
        out.append(Clipped(label, g, bptt.clip(g, "norm", threshold), bptt.clip(g, "value", threshold)))
    return out


def _vec(g):
    return f"({fmt(g[0])}, {fmt(g[1])}), length {fmt(np.linalg.norm(g))}"


def clipping_table(threshold=race.CLIP):
    """{column: [text]} of `clipped_cases`."""
    cases = clipped_cases(threshold)
    return {
        "gradient": [c.label for c in cases],
        "before": [_vec(c.gradient) for c in cases],
        f"clipped by norm at {fmt(threshold)}": [_vec(c.by_norm) for c in cases],
        f"clipped by value at ±{fmt(threshold)}": [_vec(c.by_value) for c in cases],
    }


def clipping_sentence(threshold=race.CLIP):
    """Why clipping fixes exploding and not vanishing, from `clipped_cases`' numbers."""
    big, small = clipped_cases(threshold)
    length = lambda g: fmt(np.linalg.norm(g))  # noqa: E731
    same = "unchanged" if np.array_equal(small.by_norm, small.gradient) else f"{length(small.by_norm)} long"
    return (f"Clipping only ever shrinks. The exploded gradient, {length(big.gradient)} long, comes back "
            f"{length(big.by_norm)} long and pointing the same way: a step of sane size. The vanished one, "
            f"{length(small.gradient)} long, comes back {same}: there is nothing to scale up, and no threshold can "
            "tell the early days' share from rounding. A vanishing gradient needs a path that does not shrink it, "
            "like the LSTM's cell state with its forget gate open.")  # fmt: skip


# Scenarios


def _statquest_story(_):
    B = company("B")
    kept = ", ".join(f"{d.equations['% of long-term memory to remember'].split(' = ')[-1]}" for d in B)
    return (f"{companies_sentence()} Company B's long-term memory grows every day, to C = {sq(B[-1].C)}, because "
            f"its forget gate keeps {kept} of it; company A's stays near 0 ({sq(company('A')[-1].C)} on day 4). "
            f"{one_step_sentence()}")  # fmt: skip


def _readings(s):
    return [read(cell, s, int(s[state.DAYS.name])) for cell in CELLS]


def _versus_story(s):
    readings = _readings(s)
    return f"{reach_sentence(readings[:2])} {forget_sentence(readings[1])}"


def _forget_story(s):
    return forget_sentence(_readings(s)[1])


def _race_story(s):
    T, seed = s[state.LENGTH.name], s[state.SEED.name]
    told = race.reach_story(race.start(T, seed), T, seed)
    return (f"Before the race's first step, at T = {T}: {told[0].lower()}{told[1:]} Open the "
            "Race to watch which of them learns to add two prices that far apart.")  # fmt: skip


TELLERS = {"why-statquest": _statquest_story, "why-100-days": _versus_story, "why-forget-0.7": _forget_story,
           "why-race-50": _race_story}  # fmt: skip


def story(preset):
    """What to notice in the Why LSTM scenario `preset`, from its own numbers."""
    return TELLERS[preset.key](state.scenario_settings(preset))
