"""d) Training: 1,000 epochs on a 100-day series, any cell's run as the Train page trains it, the page's rerun,
and its figure's JSON size."""

import numpy as np

from simulator import train_page
from simulator.data import Prices
from simulator.train_figures import run_figure
from simulator.train_page import defaults, setup
from simulator.trainer import Scale, fit_one_unit, initial
from tests.apptest import open_app

from .common import median_ms, table, verdict

GOAL_CORE_MS, GOAL_RETRAIN_MS, GOAL_RERUN_MS, GOAL_KB = 1000.0, 500.0, 100.0, 2000
SERIES = Scale.minmax(walk := np.cumsum(np.random.default_rng(0).normal(size=100))).scaled(walk)


def core(quick):
    """1,000 epochs of gradient descent on SERIES, per activation and truncation."""
    rows, misses = [], 0
    for act in ("relu", "tanh"):
        for k in (None, 10):
            ms = median_ms(lambda a=act, k=k: fit_one_unit(SERIES, initial("statquest"), a, "all", 0.1, 1000, k=k),
                           1 if quick else 5)  # fmt: skip
            misses += ms > GOAL_CORE_MS
            rows.append([act, "full" if k is None else f"k = {k}", f"{ms:.0f}", f"{ms / 1000:.2f}",
                         f"<= {GOAL_CORE_MS:g}", verdict(ms <= GOAL_CORE_MS)])  # fmt: skip
    print("1,000 epochs on a 100-day series (99 predictions each), median of", 1 if quick else 5)
    table(["activation", "BPTT", "ms", "ms / epoch", "goal ms", "goal"], rows)
    return misses


GOAL_CELL_MS = 1500.0
CELLS = (  # the networks, optimisers and ways to learn the Train page offers, at 300 epochs (the default)
    {},
    {"optimizer": "adam", "lr": 0.01},
    {"learn": "windows"},
    {"units": 8, "init": "random", "act": "tanh", "optimizer": "adam", "lr": 0.01},
    {"units": 64, "init": "random", "act": "tanh", "optimizer": "adam", "lr": 0.01},
    {"cell": "lstm", "optimizer": "adam", "lr": 0.01},
    {"cell": "lstm", "units": 8, "optimizer": "adam", "lr": 0.01},
    {"cell": "lstm", "units": 64, "optimizer": "adam", "lr": 0.01},
    {"cell": "gru", "units": 8, "optimizer": "adam", "lr": 0.01},
    {"cell": "gru", "units": 8, "optimizer": "adam", "lr": 0.01, "learn": "windows"},
    {"cell": "lstm", "units": 64, "optimizer": "adam", "lr": 0.01, "learn": "windows"},
)


def cells(quick):
    """Each network the Train page trains, on SERIES, capped as the page caps it: its time and its loss."""
    rows, misses = [], 0
    for chosen in CELLS[::4] if quick else CELLS:  # quick: one network in four
        s = setup(Prices("walk", "#0072B2", SERIES, "", own_scale=True), defaults(**chosen))
        ms = median_ms(lambda s=s: train_page.run(s), 1 if quick else 3, warmup=0)
        r = train_page.run(s)
        misses += ms > GOAL_CELL_MS
        how = "windows of 20, batches of 16" if s.window else "whole series"
        rows.append([s.cell, str(s.start.n), s.settings["optimizer"], how, f"{s.epochs:,}", f"{ms:.0f}",
                     f"{r.loss[0]:.4g} -> {r.loss[-1]:.4g}", f"<= {GOAL_CELL_MS:g}",
                     verdict(ms <= GOAL_CELL_MS)])  # fmt: skip
    print("Any cell on the 100-day series as the Train page trains it (300 epochs unless the work cap says fewer)")
    table(["cell", "n", "optimiser", "learns from", "epochs", "ms", "loss", "goal ms", "goal"], rows)
    return misses


def page(quick):
    """The Train page at its defaults (GOOG, 104 weeks, 300 epochs): a rerun that retrains, and one that does not."""
    n = 3 if quick else 10
    at = open_app("pages/train.py")
    rates = iter(0.3 + 1e-4 * np.arange(1, 2 * n + 4))  # a new rate every time: the cache cannot answer

    def retrain():
        at.number_input(key="lr").set_value(next(rates)).run()
        assert not at.exception, at.exception

    def rerun():
        at.run()
        assert not at.exception, at.exception

    results = [("retrain (learning rate changed)", median_ms(retrain, n), GOAL_RETRAIN_MS),
               ("rerun, the run cached", median_ms(rerun, n), GOAL_RERUN_MS)]  # fmt: skip
    print(f"Train page through AppTest, median of {n}")
    table(["rerun", "ms", "goal ms", "goal"],
          [[name, f"{ms:.0f}", f"<= {goal:g}", verdict(ms <= goal)] for name, ms, goal in results])  # fmt: skip
    return sum(ms > goal for _, ms, goal in results)


def size(quick):
    """The figure's JSON at 100 and 10,000 days (10,000 days: 200 epochs, the work cap)."""
    rows, misses = [], 0
    for days, epochs in ((100, 1000), *(() if quick else ((10_000, 200),))):
        xs = np.random.default_rng(1).uniform(0, 1, days)
        run = fit_one_unit(xs, initial("statquest"), "tanh", "all", 0.1, epochs)
        kb = len(run_figure(run, xs, Scale(), "series", "#0072B2").to_json()) / 1000
        misses += kb > GOAL_KB
        rows.append([f"{days:,}", f"{epochs:,}", f"{kb:.0f}", f"<= {GOAL_KB:,}", verdict(kb <= GOAL_KB)])
    table(["days", "epochs", "JSON KB", "goal KB", "goal"], rows)
    return misses


def run(quick=False):
    return core(quick) + cells(quick) + page(quick) + size(quick)
