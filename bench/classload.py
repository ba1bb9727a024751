"""A class of students voting within seconds, through the store the Class page uses (`simulator.classroom`).

python -m bench.classload [--students 30] [--seconds 10] [--backend sqlite|redis] [--redis-url URL] [--seed 0]

One teacher starts a class; each student is a thread with its own store connection, as each Streamlit session is:
it polls the class every 2 s (the student's screen, `ui.class_controls`), and at a seeded moment within --seconds
votes once through `Classroom.vote`, the very call the page's answer button makes. The teacher polls the tally every
1 s (the teacher's screen). Measured: every vote counted once, how old the teacher's tally is when it first shows a
vote (goal: within 2 s), and each vote's latency (goal: p95 <= 500 ms). The Streamlit rerun around each call is not
in these figures (`through_pages` has them); for Redis, --backend redis starts Debian's redis-server on a free port
unless --redis-url names one.

`through_pages` (python -m bench.load --class 30 [--replicas 3 [--kill]]) runs the class through the app itself: the
teacher presses "Start a class" on the Class page, each student is a tab on the students' link over Streamlit's
websocket protocol (bench.ws: its fragment's timer polls, a click votes, a third of the class change their answer),
through HAProxy to replicas sharing one redis-server when there are replicas, one of them SIGKILLed mid-vote with
--kill. Judged: the store and the teacher's bars hold each student's last answer once, the tally's age on the
teacher's screen and each vote's latency from click to acknowledgement.
"""

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator import classroom, questions
from tests.browser import free_port
from ui.class_controls import STUDENT_EVERY, TEACHER_EVERY

from .common import goal_main, table, verdict

GOALS = {"p95 vote ms": 500.0, "tally age s": 2.0}


@dataclass
class Result:
    students: int
    counted: int
    right_answers: bool
    latencies: list = field(default_factory=list)  # seconds per vote
    ages: list = field(default_factory=list)  # seconds from a vote's commit to the teacher's first tally with it
    polls: int = 0
    errors: list = field(default_factory=list)

    @property
    def p95_ms(self):
        return 1e3 * float(np.percentile(self.latencies, 95)) if self.latencies else float("inf")

    @property
    def passed(self):
        counted = self.counted == self.students and self.right_answers and not self.errors
        return counted and self.p95_ms <= GOALS["p95 vote ms"] and max(self.ages, default=0) <= GOALS["tally age s"]

    def report(self):
        ms = sorted(1e3 * t for t in self.latencies)
        rows = [
            ["votes counted", f"{self.counted} of {self.students}", f"= {self.students}, each once",
             verdict(self.counted == self.students and self.right_answers)],
            ["vote latency p50 / p95 / max", f"{statistics.median(ms):.1f} / {self.p95_ms:.1f} / {ms[-1]:.1f} ms",
             f"p95 <= {GOALS['p95 vote ms']:.0f} ms", verdict(self.p95_ms <= GOALS["p95 vote ms"])],
            ["teacher's tally age at first sight, mean / max", f"{statistics.mean(self.ages):.2f} / "
             f"{max(self.ages):.2f} s", f"<= {GOALS['tally age s']:g} s",
             verdict(max(self.ages) <= GOALS["tally age s"])],
            ["teacher's polls", str(self.polls), "", ""],
            ["errors", str(len(self.errors)), "0", verdict(not self.errors)],
        ]  # fmt: skip
        table(["figure", "measured", "goal", ""], rows)
        for error in self.errors[:5]:
            print(f"  error: {error}")


def redis_server():
    """(url, process) of a redis-server of our own on a free loopback port, nothing saved."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--backend redis needs Debian's redis-server (apt-get install -y redis-server) or --redis-url")
    import redis

    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            return url, proc
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def run(students, seconds, seed, make_store):
    """The class: `students` threads voting at seeded moments within `seconds`, the teacher polling."""
    teacher_room = classroom.Classroom(make_store())
    cls, _ = teacher_room.start(seed % (questions.MAX_SEED + 1))
    q = cls.question
    rng = np.random.default_rng(seed)
    moments = np.sort(rng.uniform(0, seconds, students))
    picks = [q.choices[int(i)] for i in rng.integers(len(q.choices), size=students)] if q.choices else \
            [f"{v:.6g}" for v in rng.normal(q.answer, 0.3, students)]  # fmt: skip
    committed, lock, errors, latencies = {}, threading.Lock(), [], []
    start, done = time.monotonic(), threading.Event()

    def student(k):
        room, session = classroom.Classroom(make_store()), f"student-{k}"
        voted, next_poll = False, start + rng_poll[k]
        while not voted or time.monotonic() < start + seconds:
            now = time.monotonic()
            if not voted and now >= start + moments[k]:
                t0 = time.monotonic()
                try:
                    room.vote(cls.code, session, 0, picks[k])
                except Exception as err:  # every failure is a figure
                    errors.append(f"{session}: {err!r}")
                t1 = time.monotonic()
                with lock:
                    latencies.append(t1 - t0)
                    committed[session] = t1
                voted = True
            elif now >= next_poll:
                try:
                    room.get(cls.code)  # the student's screen polls the class
                except Exception as err:
                    errors.append(f"{session} poll: {err!r}")
                next_poll += STUDENT_EVERY
            time.sleep(0.01)

    rng_poll = rng.uniform(0, STUDENT_EVERY, students)
    seen_at, polls = {}, 0

    def teacher():
        nonlocal polls
        while not done.is_set():
            _, answers = teacher_room.tally(cls.code)
            polls += 1
            now = time.monotonic()
            with lock:
                for session in list(committed)[: len(answers)]:
                    seen_at.setdefault(session, now)
            done.wait(TEACHER_EVERY)

    threads = [threading.Thread(target=student, args=(k,)) for k in range(students)]
    watcher = threading.Thread(target=teacher)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(TEACHER_EVERY * 1.5)
    done.set()
    watcher.join()
    _, answers = teacher_room.tally(cls.code)
    stored = sorted(answers)
    want = sorted(questions.checked(q, p) for p in picks)
    ages = [seen_at[s] - committed[s] for s in committed if s in seen_at]
    missing = [s for s in committed if s not in seen_at]
    errors += [f"{s}: never seen by the teacher" for s in missing]
    return Result(students, len(answers), stored == want, latencies, ages, polls, errors)


def main():
    procs = []

    def go(a):
        if a.backend == "redis":
            url = a.redis_url
            if not url:
                url, proc = redis_server()
                procs.append(proc)
            return run(a.students, a.seconds, a.seed, lambda: classroom.RedisBackend(url))
        path = Path(tempfile.mkdtemp(prefix="classload-")) / "classes.db"
        return run(a.students, a.seconds, a.seed, lambda: classroom.SqliteBackend(path))

    try:
        goal_main(
            "python -m bench.classload", __doc__,
            [("--students", int, 30, "students voting (default 30)"),
             ("--seconds", float, 10, "the votes arrive within this many seconds (default 10)"),
             ("--backend", str, "sqlite", "sqlite (the default store) or redis"),
             ("--redis-url", str, "", "a Redis server to use instead of starting one")],
            lambda a: f"{a.students} students voting within {a.seconds:g} s on {a.backend}, the teacher polling every "
                      f"{TEACHER_EVERY:g} s, each student every {STUDENT_EVERY:g} s, seed {a.seed}",
            go,
        )  # fmt: skip
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()


# --- the class through the app: `python -m bench.load --class 30 [--replicas 3 [--kill]]` ---

VOTED = "Your vote: **{}**"  # the student's screen acknowledges a counted vote with this (ui.class_controls)
REVOTE_SHARE = 1 / 3  # students who change their answer once before the reveal


@dataclass
class PageResult:
    """A class voting through the Class page: what the store and the teacher's screen counted, and how fast."""

    students: int
    seconds: float
    expected: list = field(default_factory=list)  # every student's last answer, as the store keeps it
    stored: list = field(default_factory=list)  # the votes in the store at the end
    shown: list = field(default_factory=list)  # the teacher's last bars: [(label, count)]
    want_shown: list = field(default_factory=list)  # the bars the expected votes make
    latencies: list = field(default_factory=list)  # seconds from a click to its vote acknowledged on the screen
    ages: list = field(default_factory=list)  # seconds from a first vote acknowledged to the teacher's screen
    revotes: int = 0
    resent: int = 0  # votes sent again by a student whose server died
    reconnects: list = field(default_factory=list)  # seconds from losing the server to the question back
    replicas: list = field(default_factory=list)  # (name, students opened on it, killed at)
    cpu: float = 0.0  # CPU seconds the servers spent while the class voted (its polls, votes and tallies)
    polls: int = 0  # fragment reruns of the students' and the teacher's screens
    errors: list = field(default_factory=list)

    @property
    def counted_once(self):
        return sorted(self.stored) == sorted(self.expected) and self.shown == self.want_shown

    @property
    def p95_ms(self):
        return 1e3 * float(np.percentile(self.latencies, 95)) if self.latencies else float("inf")

    @property
    def goals(self):
        age = max(self.ages, default=float("inf"))
        return [
            ("every vote counted once (store and teacher's screen)", f"{len(self.stored)} of {self.students}",
             f"{self.students}, each student's last answer", self.counted_once),
            ("teacher's tally age, max", f"{age:.2f} s", f"<= {GOALS['tally age s']:g} s", age <= GOALS["tally age s"]),
            ("vote latency p95", f"{self.p95_ms:.0f} ms", f"<= {GOALS['p95 vote ms']:g} ms",
             self.p95_ms <= GOALS["p95 vote ms"]),
            ("errors", str(len(self.errors)), "0", not self.errors),
        ]  # fmt: skip

    @property
    def passed(self):
        return all(met for *_, met in self.goals)

    def report(self):
        ms = sorted(1e3 * t for t in self.latencies) or [float("nan")]
        print(f"votes               {len(self.latencies)} clicks ({self.revotes} changed answers, "
              f"{self.resent} sent again after a reconnect) "
              f"from {self.students} students in {self.seconds:.0f} s")  # fmt: skip
        print(f"vote latency ms     p50 {statistics.median(ms):.0f}, p95 {self.p95_ms:.0f}, max {ms[-1]:.0f}")
        if self.ages:
            print(f"tally age s         mean {statistics.mean(self.ages):.2f}, max {max(self.ages):.2f} (a first vote "
                  "acknowledged on a phone -> the teacher's screen counting it)")  # fmt: skip
        print(f"teacher's screen    {', '.join(f'{label}: {n}' for label, n in self.shown)}")
        runs = self.polls + len(self.latencies)
        print(
            f"server CPU s        {self.cpu:.1f} for {runs} fragment runs ({self.polls} polls + the votes): "
            f"{1e3 * self.cpu / max(runs, 1):.0f} ms each, {100 * self.cpu / self.seconds:.0f}% of one CPU"
        )
        if len(self.replicas) > 1:
            back = f", the question back in max {max(self.reconnects):.1f} s" if self.reconnects else ""
            print(f"reconnects          {len(self.reconnects)}{back}")
            table(["replica", "students", ""], [[n, str(k), "" if at is None else f"SIGKILL at {at:.1f} s"]
                                                 for n, k, at in self.replicas])  # fmt: skip
        print()
        table(["goal", "value", "target", ""], [[f, v, g, verdict(met)] for f, v, g, met in self.goals])
        for error in self.errors[:10]:
            print("  error:", error)


def bars(session):
    """The teacher's live bars on screen: [(label, count)]."""
    found = [e.proto.text.rpartition(": ") for e in session.elements.values() if e.kind == "progress"]
    return [(label, int(n)) for label, _, n in found if n.isdigit()]


class Student:
    """One phone on the students' link: it polls as its fragment's timer does, votes at a seeded moment, and a third
    of the students change their answer once; a student whose server dies reconnects and, seeing no vote of theirs
    on the screen, sends it again."""

    def __init__(self, number, question, rng, seconds):
        self.name, self.q = f"student {number}", question
        self.moments = [rng.uniform(0, 0.7 * seconds)]
        if rng.random() < REVOTE_SHARE:
            self.moments.append(min(self.moments[0] + rng.uniform(1, 3), 0.95 * seconds))
        self.picks = [self.pick(rng) for _ in self.moments]
        while len(self.picks) == 2 and questions.checked(question, self.picks[1]) == self.checked(0):
            self.picks[1] = self.pick(rng)  # a changed answer is a different one
        self.sent, self.resent = 0, 0  # answers sent so far (picks[sent - 1] is the one that stands); sent again
        self.polls = 0
        self.latencies, self.acked, self.reconnects, self.errors, self.replicas = [], [], [], [], []

    def pick(self, rng):
        q = self.q
        return q.choices[int(rng.integers(len(q.choices)))] if q.choices else f"{rng.normal(q.answer, 0.3):.3g}"

    def checked(self, i):
        return questions.checked(self.q, self.picks[i])

    def visit(self, base_url, link, opened, clock, seconds):
        """Open `link`, wait at `opened` (a Barrier) for the whole class, then vote at clock["start"] (monotonic) +
        each moment and poll until `seconds` after it."""
        from websockets.exceptions import ConnectionClosed

        from .cluster import COOKIE
        from .ws import Session

        try:
            with Session(base_url, link, timeout=30) as s:
                self.replicas.append(s.cookies.get(COOKIE))
                opened.wait()
                start = clock["start"]
                end = start + seconds
                (fragment,) = s.fragments
                next_poll = time.monotonic() + s.fragments[fragment]
                while time.monotonic() < end or self.sent < len(self.picks):
                    try:
                        if s.closed:
                            raise ConnectionClosed(None, None)
                        due = self.sent < len(self.picks) and time.monotonic() >= start + self.moments[self.sent]
                        if due:
                            self.vote(s, self.sent)
                            self.sent += 1
                        elif time.monotonic() >= next_poll:
                            s.tick(fragment)
                            self.polls += 1
                            next_poll += s.fragments[fragment]
                        time.sleep(0.01)
                    except ConnectionClosed:
                        lost = time.monotonic()
                        s.reconnect(end + 30)
                        self.reconnects.append(time.monotonic() - lost)
                        self.replicas.append(s.cookies.get(COOKIE))
                        (fragment,) = s.fragments
                        if self.sent:  # the new screen shows no vote of ours: send the one that stands again
                            self.vote(s, self.sent - 1)
                            self.resent += 1
        except Exception as err:  # a benchmark reports every failure and carries on
            self.errors.append(f"{self.name}: {type(err).__name__}: {err}")
            opened.abort()  # a phone that never opened the link: the class does not wait for it

    def vote(self, s, i):
        """Send answer i (a click, or a number typed and sent) and check the screen acknowledges it."""
        t0 = time.monotonic()
        if self.q.choices:
            run = s.click(self.picks[i])
        else:
            s.type("class·number·0", self.picks[i])
            run = s.click("Send")
        t1 = time.monotonic()
        self.latencies.append(t1 - t0)
        said = [e.proto.body for e in s.elements.values() if e.kind == "alert"]
        if run.exceptions or not any(VOTED.format(self.checked(i)) in b for b in said):
            self.errors.append(f"{self.name}: vote {self.picks[i]!r} not acknowledged: {run.exceptions or said}")
        elif not self.acked:
            self.acked.append(t1)


class Teacher:
    """The teacher's screen: starts the class, then its fragment polls the tally (TEACHER_EVERY) until told to stop;
    it reconnects through the balancer like a student (its link holds the class and the teacher key)."""

    def __init__(self, base_url):
        self.base_url, self.polls, self.errors, self.code, self.session = base_url, [], [], None, None
        self.stop = threading.Event()

    def __enter__(self):
        from .ws import Session

        self.session = Session(self.base_url, "/classroom", timeout=30).__enter__()
        run = self.session.click("Start a class")
        found = re.search(r"(?:^|&)class=(\d+)", self.session.query)
        if run.exceptions or not found or not self.session.fragments:
            raise RuntimeError(f"no class started: {run.exceptions} {self.session.query!r}")
        self.code = found.group(1)
        return self

    def __exit__(self, *exc):
        self.session.__exit__(*exc)

    def shown(self):
        """The bars of the teacher's last poll."""
        return self.polls[-1][1] if self.polls else []

    def watch(self):
        from websockets.exceptions import ConnectionClosed

        s = self.session
        while not self.stop.wait(TEACHER_EVERY):
            try:
                if s.closed:
                    raise ConnectionClosed(None, None)
                s.tick(next(iter(s.fragments)))
                self.polls.append((time.monotonic(), bars(s)))
            except ConnectionClosed:
                try:
                    s.reconnect(time.monotonic() + 30)
                except Exception as err:
                    self.errors.append(f"teacher: {type(err).__name__}: {err}")
                    return
            except Exception as err:  # a benchmark reports every failure and carries on
                self.errors.append(f"teacher: {type(err).__name__}: {err}")
                return


def through_pages(students=30, seconds=10.0, seed=0, replicas=0, kill=False):
    """A teacher starts a class on the Class page; `students` phones open the students' link and vote within `seconds`
    (with `replicas`, through HAProxy to replicas sharing one redis-server; with `kill`, one replica is SIGKILLed at a
    seeded moment mid-vote). Returns the PageResult."""
    from .load import Monitor, kill_plan, log_errors, serve

    if kill and replicas < 2:
        raise ValueError("killing a replica needs --replicas 2 or more: the students need somewhere to go")
    with (
        class_store(replicas) as store,
        serve(replicas) as (base_url, servers, _),
        Teacher(base_url) as teacher,
        contextlib.ExitStack() as stack,
    ):
        cls = classroom.Classroom(store).get(teacher.code)
        rng = np.random.default_rng(seed)
        phones = [Student(k, cls.question, rng, seconds) for k in range(students)]
        clock, link = {}, f"/classroom?class={teacher.code}"
        opened = threading.Barrier(students + 1, action=lambda: clock.update(start=time.monotonic()), timeout=60)
        threads = [threading.Thread(target=p.visit, args=(base_url, link, opened, clock, seconds)) for p in phones]
        watcher = threading.Thread(target=teacher.watch)
        for thread in [watcher, *threads]:
            thread.start()
        try:
            opened.wait()  # every phone shows the question: the votes begin
        except threading.BrokenBarrierError:  # a phone failed to open the link: its error is reported
            clock.setdefault("start", time.monotonic())
            kill = False
        monitors = [stack.enter_context(Monitor(r.proc.pid)) for r in servers]  # CPU while the class votes
        if kill:
            at, victim = kill_plan(seed, seconds, len(servers))
            time.sleep(max(0.0, clock["start"] + at - time.monotonic()))
            servers[victim].kill(time.monotonic() - clock["start"])
        for thread in threads:
            thread.join()
        stack.close()
        result = PageResult(students, time.monotonic() - clock["start"], cpu=sum(m.cpu_seconds for m in monitors))
        result.expected = [p.checked(p.sent - 1) for p in phones if p.sent]
        result.want_shown = questions.distribution(cls.question, result.expected)
        deadline = time.monotonic() + GOALS["tally age s"] + TEACHER_EVERY
        while time.monotonic() < deadline and teacher.shown() != result.want_shown:
            time.sleep(0.05)  # the last votes and changed answers reach the teacher's screen
        teacher.stop.set()
        watcher.join()
        result.stored = classroom.Classroom(store).tally(teacher.code)[1]
        result.shown = teacher.shown()
        result.latencies = [t for p in phones for t in p.latencies]
        result.polls = sum(p.polls for p in phones) + len(teacher.polls)
        result.revotes = sum(len(p.picks) - 1 for p in phones)
        result.resent = sum(p.resent for p in phones)
        result.reconnects = [t for p in phones for t in p.reconnects]
        result.ages = tally_ages(sorted(t for p in phones for t in p.acked), teacher.polls)
        result.errors = [e for p in phones for e in p.errors] + teacher.errors
        result.errors += [f"{p.name}: never voted" for p in phones if p.sent < len(p.picks)]
        for r in servers:
            result.errors += [f"{r.name} log: {line}" for line in log_errors(r.proc.log_path)]
            opened = sum(p.replicas[:1] == [r.name] for p in phones)
            result.replicas.append((r.name, opened, r.killed_at))
        return result


def tally_ages(acked, polls):
    """For each first vote acknowledged (monotonic times, sorted), the seconds until a teacher's poll counted that
    many votes."""
    ages = []
    for i, t in enumerate(acked):
        seen = next((at for at, shown in polls if at >= t and sum(n for _, n in shown) > i), None)
        ages.append(float("inf") if seen is None else seen - t)
    return ages


@contextlib.contextmanager
def class_store(replicas):
    """The store the servers started inside this block use (through the environment): a redis-server of our own for
    replicas, which share it; a fresh SQLite file for one server. Yields the backend, for the final count."""
    saved = {v: os.environ.get(v) for v in (classroom.REDIS_VARIABLE, classroom.DB_VARIABLE)}
    proc, folder = None, tempfile.mkdtemp(prefix="classload-")
    try:
        if replicas:
            url, proc = redis_server()
            os.environ[classroom.REDIS_VARIABLE] = url
            yield classroom.RedisBackend(url)
        else:
            os.environ.pop(classroom.REDIS_VARIABLE, None)
            os.environ[classroom.DB_VARIABLE] = str(Path(folder) / "classes.db")
            yield classroom.SqliteBackend(os.environ[classroom.DB_VARIABLE])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
