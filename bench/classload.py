"""A class of students voting within seconds, through the store the Class page uses (`simulator.classroom`).

python -m bench.classload [--students 30] [--seconds 10] [--backend sqlite|redis] [--redis-url URL] [--seed 0]

One teacher starts a class; each student is a thread with its own store connection, as each Streamlit session is:
it polls the class every 2 s (the student's screen, `ui.class_controls`), and at a seeded moment within --seconds
votes once through `Classroom.vote`, the very call the page's answer button makes. The teacher polls the tally every
1 s (the teacher's screen). Measured: every vote counted once, how old the teacher's tally is when it first shows a
vote (goal: within 2 s), and each vote's latency (goal: p95 <= 500 ms). The Streamlit rerun around each call is not
in these figures (bench.load times page reruns); for Redis, --backend redis starts Debian's redis-server on a free
port unless --redis-url names one.
"""

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
