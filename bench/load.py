"""python -m bench.load [--sessions 30] [--seconds 60] [--seed 0] [--think 3] [--strict]: many learners at once.

Starts one app server and drives `sessions` visitors for `seconds` over Streamlit's websocket protocol (bench/ws.py,
checked against Chromium by tests/test_load.py), each on its own thread with its own weights and seeded choices:
change w_h or w_x, switch the activation or the sequence, step the day, open Gradients, train a few epochs on Train.
A visitor thinks between interactions; an interaction's latency runs from sending it to the end of the script run
that redraws its chart. Every run is checked: no exception, and the numbers are this visitor's own (the link the
server writes carries its settings; the unrolled diagram's tiles are its own network's, computed here).
Goals: 0 errors, p95 latency <= 500 ms, peak server RSS <= 600 MB. Exit code 1 on a missed goal only with --strict.
"""

import json
import math
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from websockets.exceptions import ConnectionClosed

from simulator import state
from simulator.data import BLUE, RED
from simulator.explain import fmt, fmt_weight
from simulator.models.rnn import ACTIVATIONS, Params, forward
from tests.browser import start_server, stop_server

from .common import goal_main, table, verdict
from .ws import Session, widget_key

GOALS = {"p95_ms": 500.0, "rss_mb": 600.0}
SEQUENCES = {"blue": [BLUE.xs], "red": [RED.xs], "both": [BLUE.xs, RED.xs]}
PAGES = {"unroll": "", "gradients": "gradients", "train": "train"}  # action -> the page's url path
ACTIONS = {  # url path -> (action, weight): what a learner does on the page
    "": (("w_h", 4), ("w_x", 3), ("act", 1), ("seq", 1), ("day", 3), ("gradients", 1), ("train", 1)),
    "gradients": (("w_h", 3), ("w_x", 2), ("act", 1), ("seq", 1), ("day", 2), ("unroll", 1), ("train", 1)),
    "train": (("lr", 3), ("epochs", 2), ("act", 1), ("unroll", 1), ("gradients", 1)),
}
TILE = re.compile(r"([hy])<sub>(\d+)</sub><br><b>([^<]*)</b>")
LOG_ERRORS = re.compile(r"Uncaught app exception|\bError\b")


class Monitor:
    """A process and its children: resident memory sampled every `every` seconds on a thread, and CPU time."""

    def __init__(self, pid, every=0.5):
        self.pid, self.every = pid, every
        self.samples = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.start, self.cpu_start = time.monotonic(), self.cpu()
        self.samples.append((0.0, self.rss()))
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu_end = self.cpu()

    def _sample(self):
        while not self._stop.wait(self.every):
            self.samples.append((time.monotonic() - self.start, self.rss()))

    def tree(self):
        """The pid and its live descendants."""
        pids, i = [self.pid], 0
        while i < len(pids):
            for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
                pids += [int(p) for p in _read(task).split()]
            i += 1
        return pids

    def rss(self):
        """Resident memory of the tree, in MB (VmRSS in /proc/<pid>/status)."""
        found = (re.search(r"VmRSS:\s+(\d+) kB", _read(f"/proc/{p}/status")) for p in self.tree())
        return sum(int(m.group(1)) for m in found if m) / 1024

    def cpu(self):
        """User + system CPU seconds of the tree so far (/proc/<pid>/stat utime + stime)."""
        ticks = 0
        for p in self.tree():
            fields = _read(f"/proc/{p}/stat").rpartition(")")[2].split()
            ticks += (int(fields[11]) + int(fields[12])) if fields else 0
        return ticks / os.sysconf("SC_CLK_TCK")

    @property
    def peak(self):
        return max(mb for _, mb in self.samples)

    def at(self, seconds):
        """The sample nearest `seconds` after the start, in MB."""
        return min(self.samples, key=lambda s: abs(s[0] - seconds))[1]


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:  # the process has just exited
        return ""


def log_errors(path):
    """The errors in a server log, one line each: a line saying Error or "Uncaught app exception", and a traceback
    as its exception line."""
    errors, traceback = [], False
    for line in _read(path).splitlines():
        if line.startswith("Traceback"):
            traceback = True
        elif traceback and line[:1].strip():
            errors.append(line)
            traceback = False
        elif not traceback and LOG_ERRORS.search(line):
            errors.append(line)
    return errors


def percentile(values, q):
    """The q-th percentile (nearest rank) of `values`, or NaN when there are none."""
    values = sorted(values)
    return values[max(0, math.ceil(q / 100 * len(values)) - 1)] if values else math.nan


class Visitor:
    """One learner with its own settings and seeded choices; collects (action, seconds) timings and errors."""

    def __init__(self, number, seed, think):
        self.name, self.rng, self.think = f"session {number}", random.Random(seed * 1_000 + number), think
        rng = self.rng
        self.own = {  # the settings this visitor chose; the server must show exactly these
            "w_x": round(rng.uniform(-2, 2), 2),
            "w_h": round(rng.uniform(-1.5, 1.5), 2),
            "act": rng.choice(state.ACTIVATION.choices),
            "seq": rng.choice(("blue", "red", "both")),
            "lr": round(rng.uniform(0.05, 1.0), 2),
            "epochs": rng.randrange(20, 101),
        }
        self.timings, self.errors, self.runs = [], [], 0

    @property
    def link(self):
        return "/?" + urlencode(state.to_query(self.own))

    def visit(self, base_url, deadline):
        """Open the link, then interact until `deadline` (time.monotonic()); every failure is logged, none raised."""
        self.pause(deadline, start=True)
        try:
            with Session(base_url, self.link, timeout=30) as s:
                self.check(s, "open", s.first)
                while self.pause(deadline):
                    action = self.rng.choices(*zip(*ACTIONS[s.path], strict=True))[0]
                    self.check(s, action, self.act(s, action))
        except TimeoutError:
            self.errors.append(f"{self.name}: timeout, no end of the script run within 30 s")
        except ConnectionClosed as err:
            self.errors.append(f"{self.name}: disconnected ({err})")
        except Exception as err:  # a benchmark reports every failure and carries on
            self.errors.append(f"{self.name}: {type(err).__name__}: {err}")

    def pause(self, deadline, start=False):
        """Think for a while (at the start, arrive at a random moment); False once the time is up."""
        wait = self.rng.uniform(0, self.think) if start else self.rng.uniform(0.3, 1.7) * self.think
        if time.monotonic() + wait >= deadline:
            return False
        time.sleep(wait)
        return True

    def act(self, s, action):
        """Do `action` in session `s`; returns the Run."""
        rng, own = self.rng, self.own
        if action in PAGES:
            return s.goto(PAGES[action])
        if action == "day":
            return s.click(rng.choice([b for b in ("◀ day", "day ▶") if s.has_button(b)]))
        if action in ("act", "seq"):
            labels = s.options(action)
            choices = state.SETTINGS[action].choices
            own[action] = rng.choice([c for c in choices if c != own[action] and c in (*ACTIVATIONS, *SEQUENCES)])
            return s.set(action, labels[choices.index(own[action])])
        if action == "epochs":
            own[action] = rng.randrange(20, 101)
        else:
            lo, hi = {"w_x": (-2, 2), "w_h": (-1.5, 1.5), "lr": (0.05, 1.0)}[action]
            own[action] = round(rng.uniform(lo, hi), 2)
        return s.set(action, own[action])

    def check(self, s, action, run):
        """Log the run's latency, its exceptions, and every number that is not this visitor's own."""
        self.timings.append((action, run.seconds))
        self.runs += run.runs
        problems = [f"exception: {e}" for e in run.exceptions]
        if not problems:
            problems = self.foreign_settings(s.query) + ([] if run.charts else ["no chart"])
        if not problems and s.path == "":
            problems = self.foreign_tiles(run)
        self.errors += [f"{self.name}: {p} (after {action})" for p in problems]

    def foreign_settings(self, query):
        """The settings in the link the server wrote that differ from this visitor's."""
        shown, _ = state.from_query(parse_qs(query, keep_blank_values=True))
        return [f"the link has {n}={shown.get(n, state.SETTINGS[n].default)!r}, this session set {v!r}"
                for n, v in self.own.items() if shown.get(n, state.SETTINGS[n].default) != v]  # fmt: skip

    def foreign_tiles(self, run):
        """The unrolled diagram's tiles (h_t, y_t) and w_h label that are not this visitor's network's."""
        spec = next((v for k, v in run.charts.items() if widget_key(k) == "unrolled"), None)
        if spec is None:
            return ["no unrolled diagram"]
        params = Params.scalar(w_x=self.own["w_x"], w_h=self.own["w_h"], activation=self.own["act"])
        traces = [forward(params, xs) for xs in SEQUENCES[self.own["seq"]]]
        expected = {}
        for tr in traces:
            for d in range(len(tr.y)):
                expected.setdefault(("h", d + 1), set()).add(fmt(tr.h[d, 0]))
                expected.setdefault(("y", d + 1), set()).add(fmt(tr.y[d]))
        text = " ".join(t for trace in json.loads(spec)["data"] for t in trace.get("text") or [] if isinstance(t, str))
        tiles = [(k, int(d), v) for k, d, v in TILE.findall(text) if v != "?"]
        bad = [f"{k}{d}={v}" for k, d, v in tiles if v not in expected.get((k, d), ())]
        problems = [f"tiles {', '.join(bad[:3])} are not this session's network"] if bad else []
        problems += [] if tiles else ["no tile values in the unrolled diagram"]
        problems += [] if f"×{fmt_weight(self.own['w_h'])}" in text else ["the diagram's w_h is not this session's"]
        return problems


@dataclass
class Result:
    """Everything a load run measured; `goals` and `passed` judge it."""

    sessions: int
    seconds: float
    think: float
    timings: list = field(default_factory=list)  # (action, seconds); action "open" is a page load
    errors: list = field(default_factory=list)
    runs: int = 0
    rss_start: float = 0.0
    rss_peak: float = 0.0
    cpu: float = 0.0

    def ms(self, q, action=None):
        """The q-th percentile latency in ms of `action`, or of every interaction but opening the page."""
        return 1e3 * percentile([s for a, s in self.timings if a == action or (action is None and a != "open")], q)

    @property
    def interactions(self):
        return sum(a != "open" for a, _ in self.timings)

    @property
    def goals(self):
        """(figure, value, goal, met) for each goal."""
        p95, rss = self.ms(95), self.rss_peak
        return [
            ("errors", str(len(self.errors)), "0", not self.errors),
            ("p95 latency ms", f"{p95:.0f}", f"<= {GOALS['p95_ms']:g}", p95 <= GOALS["p95_ms"]),
            ("peak server RSS MB", f"{rss:.0f}", f"<= {GOALS['rss_mb']:g}", rss <= GOALS["rss_mb"]),
        ]

    @property
    def passed(self):
        return all(met for *_, met in self.goals)

    def spread(self, action=None):
        return ", ".join(f"{name} {self.ms(q, action):.0f}" for name, q in (("p50", 50), ("p95", 95), ("max", 100)))

    def summary(self):
        n, s = self.interactions, self.seconds
        return "\n".join([
            f"interactions        {n} ({n / s:.1f} per second), {self.sessions} page opens, {len(self.errors)} errors",
            f"reruns per second   {self.runs / s:.1f} ({self.runs} script runs in {s:.0f} s)",
            f"latency ms          {self.spread()} (page opens: {self.spread('open')})",
            f"server RSS MB       {self.rss_start:.0f} at start, {self.rss_peak:.0f} at peak",
            f"server CPU seconds  {self.cpu:.1f} ({100 * self.cpu / s:.0f}% of one CPU)",
        ])  # fmt: skip

    def report(self):
        print(self.summary())
        rows = []
        for a in sorted({a for a, _ in self.timings}):
            count = sum(b == a for b, _ in self.timings)
            rows.append([a, str(count), *(f"{self.ms(q, a):.0f}" for q in (50, 95, 100))])
        print("\nlatency by interaction")
        table(["interaction", "count", "p50 ms", "p95 ms", "max ms"], rows)
        print()
        table(["goal", "value", "target", ""], [[f, v, g, verdict(met)] for f, v, g, met in self.goals])
        for error in self.errors[:10]:
            print("  error:", error)
        if len(self.errors) > 10:
            print(f"  ... and {len(self.errors) - 10} more errors")


def run(sessions=30, seconds=60, seed=0, think=3.0):
    """Drive `sessions` visitors against a fresh server for `seconds`; returns the Result."""
    proc, base_url = start_server()
    try:
        visitors = [Visitor(i, seed, think) for i in range(sessions)]
        result = Result(sessions, seconds, think)
        with Monitor(proc.pid) as monitor:
            start = time.monotonic()
            threads = [threading.Thread(target=v.visit, args=(base_url, start + seconds)) for v in visitors]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            result.seconds = time.monotonic() - start
        result.errors = [e for v in visitors for e in v.errors]
        result.errors += [f"server log: {line}" for line in log_errors(proc.log_path)]
        result.timings = [t for v in visitors for t in v.timings]
        result.runs = sum(v.runs for v in visitors)
        result.rss_start, result.rss_peak = monitor.samples[0][1], monitor.peak
        result.cpu = monitor.cpu_end - monitor.cpu_start
        return result
    finally:
        stop_server(proc)


def main():
    goal_main(
        "python -m bench.load", __doc__,
        [("--sessions", int, 30, "concurrent visitors (default 30)"),
         ("--seconds", float, 60, "how long they interact (default 60)"),
         ("--think", float, 3.0, "mean seconds a visitor thinks between interactions")],
        lambda a: f"{a.sessions} sessions for {a.seconds:g} s, thinking {0.3 * a.think:.1f}-{1.7 * a.think:.1f} s "
                  f"between interactions, seed {a.seed}",
        lambda a: run(a.sessions, a.seconds, a.seed, a.think),
    )  # fmt: skip


if __name__ == "__main__":
    main()
