"""The race: the RNN, the LSTM and the GRU learn the adding problem from the same batches, side by side.

Each cell starts as PyTorch would draw it (the LSTM's forget gate opened by +1) and trains with Adam (lr 0.03,
clipping by norm 1) on batches of 32 sequences; every `LAP` steps it is tested on 500 fixed sequences. Guessing
1 every time scores 1/6; a cell below `GOAL` remembers both marked days. The race runs lap by lap, so a page can
show (and cache) each lap as it comes.
"""

import copy
from dataclasses import dataclass

import numpy as np

from . import optim, tasks
from .explain import fmt
from .flow import MODELS
from .models import common

CELLS = ("rnn", "lstm", "gru")
NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
N, BATCH, LR, CLIP = 16, 32, 0.03, 1.0  # lr 0.03: the LSTM there in 400-650 steps, not 600-900 at 0.01
GOAL, LAP, STEPS = 0.01, 50, 1500  # test MSE that counts as remembered; steps a lap; steps in all


@dataclass(frozen=True)
class Runner:
    """One cell in the race: where its weights and its Adam are, its batches' generator, and the test MSE after
    each lap (`tested` at steps `steps`)."""

    cell: str
    params: object
    optimizer: optim.Optimizer
    rng: np.random.Generator
    steps: tuple = ()
    tested: tuple = ()

    @property
    def done(self):
        return bool(self.steps) and (self.steps[-1] >= STEPS or self.reached is not None or not self.finite)

    @property
    def reached(self):
        """The first step whose test MSE is below GOAL, or None."""
        return next((s for s, e in zip(self.steps, self.tested, strict=True) if e < GOAL), None)

    @property
    def finite(self):
        return all(np.isfinite(self.tested))


def start(length, seed):
    """The three runners before their first step; the same seed gives every cell the same batches."""
    return tuple(
        Runner(cell, MODELS[cell].Params.init(N, 2, seed), optim.Optimizer("adam", LR), np.random.default_rng(seed))
        for cell in CELLS
    )


def test_set(length, seed):
    return tasks.adding(length, 500, np.random.default_rng([seed, 99]))


def lap(runners, length, seed):
    """Every runner not done, `LAP` steps further and tested; the runners given are left as they were."""
    test = test_set(length, seed)
    return tuple(r if r.done else _lap(r, length, test) for r in runners)


def _lap(runner, length, test):
    model, optimizer, rng = MODELS[runner.cell], copy.deepcopy(runner.optimizer), copy.deepcopy(runner.rng)
    params = runner.params
    theta = common.vector(params, params.NAMES)
    for _ in range(LAP):
        _, theta = optim.update(model, params, theta, tasks.adding(length, BATCH, rng), optimizer, "norm", CLIP)
        params = common.from_vector(type(params), theta, params)
    step = (runner.steps[-1] if runner.steps else 0) + LAP
    error = optim.mse(model, params, *test) if np.isfinite(theta).all() else float("nan")
    return Runner(runner.cell, params, optimizer, rng, (*runner.steps, step), (*runner.tested, error))


def reach(runner, length, seed, count=100):
    """|dL/dstate_t| / |dL/dstate_T| for t = 1 .. T (T,): how much of the error at the answer reaches each day's
    memory (h, and the LSTM's c beside it), with the weights the runner has now; the median over `count` test
    sequences of each day's norm over the units."""
    model = MODELS[runner.cell]
    xs, target = test_set(length, seed)
    g = model.backward(runner.params, model.forward(runner.params, xs[:, :count]), target[:count])
    with np.errstate(all="ignore"):
        norms = np.sqrt(np.sum(g.dh * g.dh, axis=2) + (np.sum(g.dc * g.dc, axis=2) if runner.cell == "lstm" else 0))
        return np.median(norms / norms[-1], axis=1)


GATES = {"lstm": ("f", "forget gate"), "gru": ("z", "update gate")}  # what one step back on the memory multiplies by


def gate(runner, length, seed, count=100):
    """The most open unit's gate that carries the memory from one day to the next (the LSTM's f, the GRU's z): its
    mean over the days and `count` test sequences; None for the RNN, which has no such gate."""
    if runner.cell not in GATES:
        return None
    xs = test_set(length, seed)[0][:, :count]
    values = getattr(MODELS[runner.cell].forward(runner.params, xs), GATES[runner.cell][0])  # (T, B, n)
    return float(values.mean(axis=(0, 1)).max())


def reach_story(runners, length, seed):
    """How far the error reaches back to day 1 in each cell, and what that is a day, from `reach` and `gate`."""
    parts = []
    for r in runners:
        first, name = reach(r, length, seed)[0], NAMES[r.cell]
        if not first > 0:
            parts.append(f"the {name}'s to 0")
            continue
        daily = f"about ×{first ** (1 / (length - 1)):.2f} a day"
        g = gate(r, length, seed)
        why = f"; its most open {GATES[r.cell][1]} averages {g:.2f}" if g is not None else ""
        parts.append(f"the {name}'s by {fmt(first, 2)} ({daily}{why})")
    return f"From the answer back to day 1's memory, the error's gradient is multiplied: {'; '.join(parts)}."


def story(runners):
    """One sentence a cell on where the race stands, from its numbers."""
    return " ".join(_sentence(r) for r in runners if r.steps)


def _sentence(r):
    name, best, last, guess = NAMES[r.cell], min(r.tested), r.steps[-1], tasks.CONSTANT_GUESS
    if not r.finite:
        return f"The {name}'s weights overflowed by step {last:,}."
    if r.reached is not None:
        return f"The {name} remembers both marked days: its test error fell below {GOAL} at step {r.reached:,}."
    if not r.done:
        return f"The {name} is at {r.tested[-1]:.3f} after {last:,} steps."
    if best > 0.8 * guess:
        return f"The {name} never beat guessing 1 ({guess:.3f}): its best test error in {last:,} steps was {best:.3f}."
    return f"The {name} learned part of it: its best test error in {last:,} steps was {best:.3f}, not below {GOAL}."
