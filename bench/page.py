"""b) Each page's rerun time through AppTest, beside a trivial page's rerun as the floor.

AppTest compiles the scripts again on every run (a new ScriptCache each time), which a server does once: the bench
gives every run one cache, as the server does, so the figures are the server's rerun and not AppTest's."""

import contextlib
import logging
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from tests.apptest import ENTRY

from .common import median_ms, table, verdict

TRIVIAL = 'import streamlit as st\n\nst.number_input("w_h", -3.0, 3.0, -0.5, key="w_h")\nst.write("floor")\n'
GOALS = {"defaults": 60.0, "T=1000": 200.0, "n=64, T=1000": 200.0}  # ms per rerun


def reruns(at, repeats):
    """Median ms of at.run() while w_h alternates (with n units, where W_h is a recipe, its rho), so every rerun
    really recomputes (no cache can fake it)."""
    one = any(w.key == "w_h" for w in at.number_input)
    values = iter([-0.4, -0.5] * (repeats + 1) if one else [0.9, 1.0] * (repeats + 1))

    def rerun():
        (at.number_input(key="w_h") if one else at.slider(key="rho")).set_value(next(values))
        at.run()
        assert not at.exception, at.exception

    return median_ms(rerun, repeats)


PAGES = {"Unroll": "pages/unroll.py", "Gradients": "pages/gradients.py", "Layer": "pages/layer.py"}


def page(path, typed=None, units=1):
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if units > 1:
        at.query_params["units"] = str(units)
    if typed is not None:
        at.query_params["seq"] = "typed"
        at.run()
        at.text_area(key="typed").input(typed)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


@contextlib.contextmanager
def compiled_once():
    """Every AppTest run inside shares one ScriptCache, as a server's runs do."""
    cache = ScriptCache()
    with (
        mock.patch.object(app_test, "ScriptCache", lambda: cache),
        mock.patch.object(local_script_runner, "ScriptCache", lambda: cache),
    ):
        yield


def run(quick=False):
    with compiled_once():
        return _run(quick)


def _run(quick):
    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    logger.addFilter(lambda record: "missing ScriptRunContext" not in record.getMessage())  # AppTest is bare mode
    n = 3 if quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL)
        floor_at = AppTest.from_file(str(trivial)).run()
        floor = reruns(floor_at, n)
    prices = ", ".join(f"{x:.3f}" for x in np.random.default_rng(0).uniform(0, 1, 1000))
    start = time.perf_counter()
    setups = (("defaults", None, 1), ("T=1000", prices, 1), ("n=64, T=1000", prices, 64))
    cases = {(title, name): page(path, typed, units) for title, path in PAGES.items() for name, typed, units in setups}
    for name, days in (("defaults", "9"), ("T=1000", "1000")):  # Why LSTM: its own T, the blue company repeated
        cases["Why LSTM", name] = page("pages/why.py")
        cases["Why LSTM", name].segmented_control(key="days").set_value(days).run()
    first = 1e3 * (time.perf_counter() - start)
    rows, misses = [["trivial page (floor)", f"{floor:.1f}", "1.0x", "-", "-"]], 0
    for (title, name), at in cases.items():
        ms = reruns(at, n)
        misses += ms > GOALS[name]
        goal = GOALS[name]
        rows.append([f"{title}, {name}", f"{ms:.1f}", f"{ms / floor:.1f}x", f"<= {goal:g}", verdict(ms <= goal)])
    print(f"median of {n} reruns, w_h alternating between -0.4 and -0.5 (with 64 units, rho between 0.9 and 1; first "
          f"runs of all pages: {first:.0f} ms)")  # fmt: skip
    table(["page", "rerun ms", "vs floor", "goal ms", "goal"], rows)
    return misses
