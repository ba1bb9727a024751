"""python -m bench.load [--sessions 30] [--seconds 60] [--seed 0] [--think 3] [--replicas N [--kill]] [--strict]:
many learners at once.

Starts one app server (or, with --replicas N, N of them behind HAProxy: bench/cluster.py) and drives `sessions`
visitors for `seconds` over Streamlit's websocket protocol (bench/ws.py, checked against Chromium by
tests/test_load.py), each on its own thread with its own weights and seeded choices:
change w_h or w_x, switch the activation or the sequence, step the day, open Gradients, train a few epochs on Train.
A visitor thinks between interactions; an interaction's latency runs from sending it to the end of the script run
that redraws its chart. Every run is checked: no exception, and the numbers are this visitor's own (the link the
server writes carries its settings; the unrolled diagram's tiles are its own network's, computed here).
Goals: 0 errors, p95 latency <= 500 ms, peak server RSS <= 600 MB. Exit code 1 on a missed goal only with --strict.

Through the balancer each visitor is a browser tab pinned to a replica by HAProxy's cookie, and the report gives each
replica's sessions, script runs, CPU and RSS beside the totals (goals: p95 <= 800 ms, every replica <= 600 MB). With
--kill one replica is SIGKILLed at a seeded moment: a tab that loses its websocket notices at once (as a browser does),
reconnects through the balancer and opens its link again; it must show the very figures it showed before, and the
report counts the reconnects and the sessions whose numbers changed (goal 0). Every other tab reconnects as
Streamlit's frontend does on these pages, without a run: its next interaction is the new session's first run, which
must keep that change (checked as every interaction is).
With --class N, a class of N students votes on the Class page instead (bench/classload.py, `through_pages`).
"""

import contextlib
import json
import math
import os
import random
import re
import resource
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
from websockets.exceptions import ConnectionClosed

from simulator import state
from simulator.data import BLUE, RED
from simulator.diagram import decoded
from simulator.models.rnn import ACTIVATIONS, Params, forward
from tests.browser import start_server, stop_server

from . import classload
from .cluster import COOKIE, Cluster, Replica
from .common import goal_main, table, verdict
from .ws import Session, widget_key

GOALS = {"p95_ms": 500.0, "rss_mb": 600.0}
REPLICA_GOALS = {"p95_ms": 800.0, "rss_mb": 600.0}  # 90 sessions on three replicas sharing two cores
SEQUENCES = {"blue": [BLUE.xs], "red": [RED.xs], "both": [BLUE.xs, RED.xs]}
PAGES = {"unroll": "", "gradients": "gradients", "train": "train"}  # action -> the page's url path
ACTIONS = {  # url path -> (action, weight): what a learner does on the page
    "": (("w_h", 4), ("w_x", 3), ("act", 1), ("seq", 1), ("gradients", 1), ("train", 1)),
    "gradients": (("w_h", 3), ("w_x", 2), ("act", 1), ("seq", 1), ("unroll", 1), ("train", 1)),
    "train": (("lr", 3), ("epochs", 2), ("act", 1), ("unroll", 1), ("gradients", 1)),
}
LOG_ERRORS = re.compile(r"Uncaught app exception|\bError\b")


class Monitor:
    """A process and its children: resident memory sampled every `every` seconds on a thread, and CPU time."""

    def __init__(self, pid, every=0.5):
        self.pid, self.every = pid, every
        self.samples = []  # (seconds since start, MB), while the process lives
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.start, self.cpu_start = time.monotonic(), self.cpu()
        self.cpu_end = self.cpu_start
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._take()

    def _sample(self):
        while not self._stop.wait(self.every):
            self._take()

    def _take(self):
        rss, cpu = self.rss(), self.cpu()
        if rss:  # a killed process (a zombie, then gone) has no memory: it keeps the last figures it had alive
            self.samples.append((time.monotonic() - self.start, rss))
            self.cpu_end = cpu

    @property
    def cpu_seconds(self):
        return self.cpu_end - self.cpu_start

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
        self.reloads = number % 2 == 0  # after losing its server: the link alone (a reload), or the browser's way
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
        self.runs_on, self.replicas = Counter(), []  # script runs by replica; the replicas it opened and came back on
        self.reconnects, self.changed = [], []  # seconds from losing the server to the view back; what changed
        self.shown = (dict(self.own), {})  # the settings and the figures on screen after the last interaction

    @property
    def link(self):
        return "/?" + urlencode(state.to_query(self.own))

    def visit(self, base_url, deadline):
        """Open the link, then interact until `deadline` (time.monotonic()); every failure is logged, none raised."""
        self.pause(deadline, start=True)
        try:
            with Session(base_url, self.link, timeout=30) as s:
                self.replicas.append(s.cookies.get(COOKIE))
                self.check(s, "open", s.first)
                while self.pause(deadline, session=s):
                    if s.closed:
                        self.recover(s, deadline)
                        continue
                    action = self.rng.choices(*zip(*ACTIONS[s.path], strict=True))[0]
                    try:
                        run = self.act(s, action)
                    except ConnectionClosed:  # the server went away with this interaction in flight: it is lost
                        self.recover(s, deadline)
                        continue
                    self.check(s, action, run)
        except TimeoutError:
            self.errors.append(f"{self.name}: timeout, no end of the script run within 30 s")
        except ConnectionClosed as err:
            self.errors.append(f"{self.name}: disconnected ({err})")
        except Exception as err:  # a benchmark reports every failure and carries on
            self.errors.append(f"{self.name}: {type(err).__name__}: {err}")

    def pause(self, deadline, start=False, session=None):
        """Think for a while (at the start, arrive at a random moment); False once the time is up. A tab whose
        websocket closes stops thinking at once (True): the browser reconnects as soon as it notices."""
        wait = self.rng.uniform(0, self.think) if start else self.rng.uniform(0.3, 1.7) * self.think
        if time.monotonic() + wait >= deadline:
            return False
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0 and not (session and session.closed):
            time.sleep(min(left, 0.1))
        return True

    def recover(self, s, deadline):
        """The tab lost its server: reconnect through the balancer to the link on screen, and check the view that
        comes back is the one this tab showed, figure for figure. Every other visitor instead reconnects as
        Streamlit's frontend does on these pages, without a run: its next interaction, checked as any other, is the
        new session's first run (it must keep that change, not take the link's settings)."""
        lost = time.monotonic()
        self.own = dict(self.shown[0])  # an interaction in flight is lost with its server
        if not self.reloads:
            s.reconnect(deadline + 30, rerun=False)
            self.reconnects.append(time.monotonic() - lost)
            self.replicas.append(s.cookies.get(COOKIE))
            return
        run = s.reconnect(deadline + 30)
        self.reconnects.append(time.monotonic() - lost)
        self.replicas.append(s.cookies.get(COOKIE))
        before = self.shown[1]
        self.check(s, "reconnect", run)
        if run.charts != before:
            charts = before.keys() | run.charts.keys()
            differ = sorted(widget_key(k) for k in charts if before.get(k) != run.charts.get(k))
            self.changed.append(f"{self.name}: {', '.join(differ)} differ after reconnecting to {self.replicas[-1]}")

    def act(self, s, action):
        """Do `action` in session `s`; returns the Run."""
        rng, own = self.rng, self.own
        if action in PAGES:
            return s.goto(PAGES[action])
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
        self.runs_on[s.cookies.get(COOKIE)] += run.runs
        self.shown = (dict(self.own), run.charts)
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
        """The unrolled diagram's hidden states, predictions and w_h that are not this visitor's network's."""
        data = next(
            (json.loads(e.proto.json) for e in run.of("bidi_component") if e.proto.id.endswith("unrolled")), None
        )
        if data is None:
            return ["no unrolled diagram"]
        params = Params.scalar(w_x=self.own["w_x"], w_h=self.own["w_h"], activation=self.own["act"])
        traces = [forward(params, xs) for xs in SEQUENCES[self.own["seq"]]]
        problems = [] if len(data["rows"]) == len(traces) else ["the diagram's sequences are not this session's"]
        for row, tr in zip(data["rows"], traces, strict=False):
            h, y = decoded(row["values"]["h"]).reshape(-1), decoded(row["y"])
            a = data["start"]
            if not (np.allclose(h, tr.h[a : a + len(h), 0]) and np.allclose(y, tr.y[a : a + len(y)])):
                problems.append(f"{row['label']}: the tiles are not this session's network")
        if decoded(data["weights"]["h"]["W_h"]).item() != self.own["w_h"]:
            problems.append("the diagram's w_h is not this session's")
        return problems


@dataclass
class ReplicaStats:
    """What one replica did: the sessions it opened and took over, its script runs, CPU seconds and memory."""

    name: str
    opened: int = 0
    taken_over: int = 0  # sessions that reconnected to it from a killed replica
    runs: int = 0
    cpu: float = 0.0
    rss_start: float = 0.0
    rss_peak: float = 0.0
    killed_at: float | None = None

    def row(self, seconds):
        killed = "" if self.killed_at is None else f"SIGKILL at {self.killed_at:.1f} s"
        counts = (self.opened, self.taken_over, self.runs)
        return [self.name, *map(str, counts), f"{self.cpu:.1f}", f"{100 * self.cpu / seconds:.0f}",
                f"{self.rss_start:.0f}", f"{self.rss_peak:.0f}", killed]  # fmt: skip


@dataclass
class Result:
    """Everything a load run measured; `goals` and `passed` judge it."""

    sessions: int
    seconds: float
    think: float
    timings: list = field(default_factory=list)  # (action, seconds); actions "open" and "reconnect" load a page
    errors: list = field(default_factory=list)
    runs: int = 0
    replicas: list = field(default_factory=list)  # ReplicaStats; one, named "server", without a balancer
    balanced: bool = False  # the replicas stood behind HAProxy
    balancer_cpu: float = 0.0
    client_cpu: float = 0.0  # this process: the visitors' threads
    machine_busy: float = 0.0  # CPU seconds the whole machine spent, this run and everything else running
    reconnects: list = field(default_factory=list)  # seconds from losing the server to the view back, per reconnect
    changed: list = field(default_factory=list)  # a session whose figures differ after it reconnected, one line each

    @property
    def rss_start(self):
        return sum(r.rss_start for r in self.replicas)

    @property
    def rss_peak(self):
        """The largest replica's peak: the goal holds for every replica."""
        return max((r.rss_peak for r in self.replicas), default=0.0)

    @property
    def cpu(self):
        return sum(r.cpu for r in self.replicas)

    def ms(self, q, action=None):
        """The q-th percentile latency in ms of `action`, or of every interaction but loading a page."""
        pages = ("open", "reconnect")
        return 1e3 * percentile([s for a, s in self.timings if a == action or (action is None and a not in pages)], q)

    @property
    def interactions(self):
        return sum(a not in ("open", "reconnect") for a, _ in self.timings)

    @property
    def goals(self):
        """(figure, value, goal, met) for each goal."""
        goals = REPLICA_GOALS if self.balanced else GOALS
        p95, rss = self.ms(95), self.rss_peak
        rss_name = "peak RSS MB of the largest replica" if self.balanced else "peak server RSS MB"
        rows = [
            ("errors", str(len(self.errors)), "0", not self.errors),
            ("p95 latency ms", f"{p95:.0f}", f"<= {goals['p95_ms']:g}", p95 <= goals["p95_ms"]),
            (rss_name, f"{rss:.0f}", f"<= {goals['rss_mb']:g}", rss <= goals["rss_mb"]),
        ]
        if any(r.killed_at is not None for r in self.replicas):
            rows.append(("sessions whose numbers changed", str(len(self.changed)), "0", not self.changed))
        return rows

    @property
    def passed(self):
        return all(met for *_, met in self.goals)

    def spread(self, action=None):
        return ", ".join(f"{name} {self.ms(q, action):.0f}" for name, q in (("p50", 50), ("p95", 95), ("max", 100)))

    def summary(self):
        n, s = self.interactions, self.seconds
        rss, cpu = ("replicas RSS MB", "replicas CPU s") if self.balanced else ("server RSS MB", "server CPU seconds")
        lines = [
            f"interactions        {n} ({n / s:.1f} per second), {self.sessions} page opens, {len(self.errors)} errors",
            f"reruns per second   {self.runs / s:.1f} ({self.runs} script runs in {s:.0f} s)",
            f"latency ms          {self.spread()} (page opens: {self.spread('open')})",
            f"{rss:<20}{self.rss_start:.0f} at start, {self.rss_peak:.0f} at peak"
            + (" (the largest replica)" if self.balanced else ""),
            f"{cpu:<20}{self.cpu:.1f} ({100 * self.cpu / s:.0f}% of one CPU)",
        ]  # fmt: skip
        others = max(0.0, self.machine_busy - self.cpu - self.balancer_cpu - self.client_cpu)
        ours = f"{self.cpu:.1f} " + (f"replicas + {self.balancer_cpu:.1f} HAProxy" if self.balanced else "server")
        lines.append(f"machine CPU s       {self.machine_busy:.1f} busy of {os.cpu_count() * s:.0f}: this run {ours} + "
                     f"{self.client_cpu:.1f} visitors; other work {others:.1f} ({others / s:.2f} cores)")  # fmt: skip
        if any(r.killed_at is not None for r in self.replicas):
            back = ", ".join(f"{n} {1e3 * percentile(self.reconnects, q):.0f}" for n, q in (("p50", 50), ("max", 100)))
            back = f", the view back in {back} ms from losing the server" if self.reconnects else ""
            lines.append(f"reconnects          {len(self.reconnects)}{back}; {len(self.changed)} sessions changed")
        return "\n".join(lines)

    def report(self):
        print(self.summary())
        if self.balanced:
            print("\nper replica")
            total = ReplicaStats("total", sum(r.opened for r in self.replicas), len(self.reconnects), self.runs,
                                 self.cpu, self.rss_start, sum(r.rss_peak for r in self.replicas))  # fmt: skip
            rows = [r.row(self.seconds) for r in [*self.replicas, total]]
            header = ["replica", "sessions", "taken over", "script runs", "CPU s", "% CPU", "RSS MB start", "peak", ""]
            table(header, rows)
        rows = []
        for a in sorted({a for a, _ in self.timings}):
            count = sum(b == a for b, _ in self.timings)
            rows.append([a, str(count), *(f"{self.ms(q, a):.0f}" for q in (50, 95, 100))])
        print("\nlatency by interaction")
        table(["interaction", "count", "p50 ms", "p95 ms", "max ms"], rows)
        print()
        table(["goal", "value", "target", ""], [[f, v, g, verdict(met)] for f, v, g, met in self.goals])
        for line in self.changed[:10]:
            print("  changed:", line)
        for error in self.errors[:10]:
            print("  error:", error)
        if len(self.errors) > 10:
            print(f"  ... and {len(self.errors) - 10} more errors")


@contextmanager
def serve(replicas):
    """(base url, [Replica], balancer process or None): one fresh server, or `replicas` of them behind HAProxy."""
    if replicas:
        with Cluster(replicas) as cluster:
            yield cluster.url, cluster.replicas, cluster.haproxy
        return
    proc, base_url = start_server()
    try:
        yield base_url, [Replica("server", proc, int(base_url.rsplit(":", 1)[1]))], None
    finally:
        stop_server(proc)


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy():
    """CPU seconds the machine has been busy since boot (/proc/stat: every state but idle and iowait)."""
    fields = [int(f) for f in _read("/proc/stat").split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def kill_plan(seed, seconds, replicas):
    """(seconds into the run, replica index): the seeded moment, between 30% and 60% of the run, and the victim."""
    rng = random.Random(f"kill {seed}")
    return rng.uniform(0.3, 0.6) * seconds, rng.randrange(replicas)


def run(sessions=30, seconds=60, seed=0, think=3.0, replicas=0, kill=False):
    """Drive `sessions` visitors for `seconds` against a fresh server, or through HAProxy against `replicas` fresh
    ones (with `kill`, one of them is SIGKILLed at a seeded moment); returns the Result."""
    if kill and replicas < 2:
        raise ValueError("killing a replica needs --replicas 2 or more: the sessions need somewhere to go")
    with serve(replicas) as (base_url, servers, balancer):
        visitors = [Visitor(i, seed, think) for i in range(sessions)]
        result = Result(sessions, seconds, think, balanced=bool(replicas))
        monitors = [Monitor(r.proc.pid) for r in servers]
        with contextlib.ExitStack() as stack:
            for m in monitors:
                stack.enter_context(m)
            balancer_monitor = stack.enter_context(Monitor(balancer.pid)) if balancer else None
            start, client_start, busy_start = time.monotonic(), _own_cpu(), _machine_busy()
            threads = [threading.Thread(target=v.visit, args=(base_url, start + seconds)) for v in visitors]
            for t in threads:
                t.start()
            if kill:
                at, victim = kill_plan(seed, seconds, len(servers))
                time.sleep(max(0.0, start + at - time.monotonic()))
                servers[victim].kill(time.monotonic() - start)
            for t in threads:
                t.join()
            result.seconds = time.monotonic() - start
            result.client_cpu, result.machine_busy = _own_cpu() - client_start, _machine_busy() - busy_start
        result.errors = [e for v in visitors for e in v.errors]
        for r in servers:
            result.errors += [f"{r.name} log: {line}" for line in log_errors(r.proc.log_path)]
        result.timings = [t for v in visitors for t in v.timings]
        result.runs = sum(v.runs for v in visitors)
        result.reconnects = [s for v in visitors for s in v.reconnects]
        result.changed = [c for v in visitors for c in v.changed]
        result.balancer_cpu = balancer_monitor.cpu_seconds if balancer_monitor else 0.0
        for r, m in zip(servers, monitors, strict=True):
            landed = [name for v in visitors for name in v.replicas]
            opened = Counter(v.replicas[0] for v in visitors if v.replicas)
            name = r.name if replicas else None
            result.replicas.append(ReplicaStats(
                r.name, opened[name], sum(n == name for n in landed) - opened[name],
                sum(v.runs_on[name] for v in visitors), m.cpu_seconds, m.samples[0][1], m.peak, r.killed_at,
            ))  # fmt: skip
        return result


def main():
    goal_main(
        "python -m bench.load", __doc__,
        [("--sessions", int, 30, "concurrent visitors (default 30)"),
         ("--seconds", float, 60, "how long they interact (default 60)"),
         ("--think", float, 3.0, "mean seconds a visitor thinks between interactions"),
         ("--replicas", int, 0, "N app servers behind HAProxy (default 0: one server, no balancer)"),
         ("--kill", "flag", False, "SIGKILL one replica at a seeded moment; its sessions must come back the same"),
         ("--class", int, 0, "instead: a class of N students voting on the Class page within --seconds (try 10)")],
        headline, lambda a: classload.through_pages(vars(a)["class"], a.seconds, a.seed, a.replicas, a.kill)
        if vars(a)["class"] else run(a.sessions, a.seconds, a.seed, a.think, a.replicas, a.kill),
    )  # fmt: skip


def headline(a):
    """What the command line asked for, in words."""
    where = (f", {a.replicas} replicas behind HAProxy" if a.replicas else "") + (", one replica killed" * a.kill)
    if students := vars(a)["class"]:
        return (
            f"a class of {students} students voting within {a.seconds:g} s on the Class page (a third change "
            f"their answer), seed {a.seed}" + where + (", sharing one redis-server" if a.replicas else "")
        )
    return (f"{a.sessions} sessions for {a.seconds:g} s, thinking {0.3 * a.think:.1f}-{1.7 * a.think:.1f} s between "
            f"interactions, seed {a.seed}" + where)  # fmt: skip


if __name__ == "__main__":
    main()
