"""The class store, every behaviour on both backends: SQLite in a temp file and a real redis-server on a free port."""

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

import pytest

from simulator import classroom, questions
from simulator.classroom import ClassError, Classroom
from tests.browser import free_port, unavailable

REDIS_SERVER = shutil.which("redis-server")


def require_redis():
    """Skip without redis-server (or the redis package); fail instead when CI=true."""
    missing = []
    if REDIS_SERVER is None:
        missing.append("Debian's redis-server (apt-get install -y redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        missing.append("the redis package (pip install -r requirements-dev.txt)")
    if missing:
        unavailable(f"the Redis tests need {' and '.join(missing)}")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of our own on a free loopback port, nothing saved to disk; stopped after the module."""
    require_redis()
    import redis

    port, workdir = free_port(), tmp_path_factory.mktemp("redis")
    cmd = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(workdir)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"redis-server on port {port} did not answer within 20 s")
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


class Clock:
    """Real time plus an offset the test moves (Redis expires keys by the real clock)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.time() + self.offset


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path):
    """A function that opens the backend under test (each call a new connection to the same store)."""
    if request.param == "sqlite":
        path = tmp_path / "classes.db"
        return lambda: classroom.SqliteBackend(path)
    url = request.getfixturevalue("redis_url")
    import redis

    redis.Redis.from_url(url).flushdb()
    return lambda: classroom.RedisBackend(url)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def room(make_store, clock):
    return Classroom(make_store(), clock)


def started(room, seed=3):
    return room.start(seed)


def refused(match, action, *args):
    with pytest.raises(ClassError, match=match):
        action(*args)


def choice_index(seed):
    """The first question of quiz `seed` that has choices, and one that takes a number."""
    qs = questions.quiz(seed)
    return next(i for i, q in enumerate(qs) if not q.numeric), next(i for i, q in enumerate(qs) if q.numeric)


def test_a_class_starts_at_its_first_question_with_a_short_code(room):
    cls, secret = started(room)
    assert 100_000 <= cls.code <= 999_999 and 10**15 <= secret < 2**53
    again = room.get(f" {cls.code} ")  # as typed, spaces and all
    assert (again.code, again.seed, again.index, again.revealed) == (cls.code, 3, 0, False)
    assert again.question == questions.quiz(3)[0]
    assert room.is_teacher(cls.code, secret) and room.is_teacher(cls.code, str(secret))
    assert not room.is_teacher(cls.code, secret + 1)


def test_the_store_keeps_only_a_digest_of_the_teacher_secret(room):
    cls, secret = started(room)
    record = room.store.load(str(cls.code))
    assert str(secret) not in str(record) and record["secret"] == classroom.digest(str(secret))


def test_votes_are_counted_once_per_session_and_a_student_may_change_theirs(room):
    cls, _ = started(room)
    q = cls.question
    room.vote(cls.code, "s1", 0, q.choices[0])
    room.vote(str(cls.code), "s2", 0, q.choices[0])
    room.vote(cls.code, "s1", 0, q.choices[1])
    _, answers = room.tally(cls.code)
    assert sorted(answers) == sorted([q.choices[0], q.choices[1]])


def test_the_teacher_advances_and_reveals_and_votes_close_on_reveal(room):
    cls, secret = started(room)
    q0 = cls.question
    room.vote(cls.code, "s1", 0, q0.choices[0])
    shown = room.reveal(cls.code, secret, (0, False))
    assert shown.revealed and room.get(cls.code).revealed
    refused("voting on question 1 has closed", room.vote, cls.code, "s2", 0, q0.choices[0])
    moved = room.go(cls.code, secret, (0, True), 1)
    assert (moved.index, moved.revealed) == (1, False) == (room.get(cls.code).index, room.get(cls.code).revealed)
    refused("the class is on question 2", room.vote, cls.code, "s1", 0, q0.choices[0])
    assert room.tally(cls.code)[1] == []  # a new question starts with no votes
    assert room.store.answers(cls.code, 0) == [q0.choices[0]]  # and the old ones stay with their question


def test_a_numeric_question_takes_numbers_as_canonical_text(room):
    cls, secret = started(room)
    _, number = choice_index(3)
    room.go(cls.code, secret, (0, False), number)
    assert room.vote(cls.code, "s1", number, " −0.50 ") == "-0.5"
    assert room.tally(cls.code)[1] == ["-0.5"]


def test_a_wrong_malformed_or_expired_code_is_refused(room, clock):
    for bad in ("ab", "4829130" * 100, None, 1_000_000, True, 48291.3, "４８２９１３", "-482913"):
        refused("A class code is 6 digits", room.get, bad)
    for code in ("482913", "000000", "099999"):  # 6 digits, but no class has them (codes start at 100000)
        refused(f"There is no class {code}", room.get, code)
    cls, secret = started(room)
    clock.offset = classroom.TTL + 1
    refused("has ended", room.get, cls.code)
    refused("has ended", room.vote, cls.code, "s1", 0, cls.question.choices[0])
    refused("has ended", room.reveal, cls.code, secret, (0, False))


def test_a_forged_vote_changes_nothing(room):
    cls, secret = started(room)
    room.vote(cls.code, "s1", 0, cls.question.choices[0])
    for forged in ("a choice never offered", "", None, 3, cls.question.choices[0] * 1000):
        refused("not one of the choices", room.vote, cls.code, "s1", 0, forged)
    _, number = choice_index(3)
    room.go(cls.code, secret, (0, False), number)
    for forged, message in (("abc", "Type a number"), ("nan", "between"), ("1e99", "between"), ("9" * 5000, "between")):
        refused(message, room.vote, cls.code, "s1", number, forged)
    for session in ("", "x" * 65, "a b", None, "é"):
        refused("session id is not valid", room.vote, cls.code, session, number, "0.5")
    refused("closed", room.vote, cls.code, "s1", "1", "0.5")
    assert room.tally(cls.code)[1] == [] and room.store.answers(cls.code, 0) == [cls.question.choices[0]]


def test_a_teacher_action_without_the_secret_changes_nothing(room):
    cls, secret = started(room)
    text = str(secret)
    for forged in ("", "0" * 16, text[:-1], text + "0", secret - 1, -secret, None, "x" * 10_000, float(secret), [text]):
        refused("Only the teacher's link", room.reveal, cls.code, forged, (0, False))
        refused("Only the teacher's link", room.go, cls.code, forged, (0, False), 1)
    _, other_secret = started(room)  # another class's teacher
    refused("Only the teacher's link", room.reveal, cls.code, other_secret, (0, False))
    now = room.get(cls.code)
    assert (now.index, now.revealed) == (0, False)


def test_a_replayed_or_stale_teacher_action_changes_nothing(room):
    cls, secret = started(room)
    room.go(cls.code, secret, (0, False), 1)
    refused("moved on", room.go, cls.code, secret, (0, False), 1)  # the same click again (a replay, a second tab)
    refused("moved on", room.reveal, cls.code, secret, (0, False))
    refused("There are 10 questions", room.go, cls.code, secret, (1, False), 10)
    refused("There are 10 questions", room.go, cls.code, secret, (1, False), -1)
    now = room.get(cls.code)
    assert (now.index, now.revealed) == (1, False)


def test_a_flood_of_votes_from_one_session_is_cut_off_and_changes_nothing(room, clock):
    cls, _ = started(room)
    a, b = cls.question.choices[:2]
    for _ in range(classroom.RATE_LIMIT):
        room.vote(cls.code, "s1", 0, a)
    refused("Too many votes", room.vote, cls.code, "s1", 0, b)
    assert room.tally(cls.code)[1] == [a]
    room.vote(cls.code, "s2", 0, b)  # another student is not held up
    clock.offset += 2 * classroom.RATE_WINDOW
    room.vote(cls.code, "s1", 0, b)  # and the session may vote again later
    assert sorted(room.tally(cls.code)[1]) == [b, b]


def test_a_question_takes_at_most_max_voters(make_store, clock):
    room = Classroom(make_store(), clock, max_voters=3)
    cls, _ = started(room)
    a = cls.question.choices[0]
    for s in ("s1", "s2", "s3"):
        room.vote(cls.code, s, 0, a)
    refused("already has 3 votes", room.vote, cls.code, "s4", 0, a)
    room.vote(cls.code, "s1", 0, a)  # a student who already voted may still change it
    assert len(room.tally(cls.code)[1]) == 3


def test_a_bad_seed_is_refused(room):
    for seed in (-1, questions.MAX_SEED + 1, 1.5, "3"):
        refused("whole number", room.start, seed)


def test_each_class_gets_its_own_code(room):
    codes = {room.start(1)[0].code for _ in range(50)}
    assert len(codes) == 50


def vote_many(make_store, code, sessions, answer, barrier, refusals, now):
    room = Classroom(make_store(), lambda: now)  # one rate window for all
    barrier.wait()
    for session in sessions:
        try:
            room.vote(code, session, 0, answer)
        except ClassError as err:
            refusals.append((session, str(err)))


def test_many_threads_voting_at_once_are_each_counted_once(make_store):
    room = Classroom(make_store())
    cls, _ = room.start(3)
    choices = cls.question.choices
    threads, barrier, refusals = [], threading.Barrier(8), []
    for t in range(8):
        sessions = [f"t{t}-{k}" for k in range(6)] + ["shared"]  # one session votes from every thread
        args = (make_store, cls.code, sessions, choices[0], barrier, refusals, time.time())
        threads.append(threading.Thread(target=vote_many, args=args))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = room.tally(cls.code)[1]
    assert len(answers) == 8 * 6 + 1 and set(answers) == {choices[0]}
    assert {session for session, _ in refusals} <= {"shared"}  # only the shared session, past the rate limit
    assert len(refusals) == 8 - classroom.RATE_LIMIT


def _process_votes(kind, where, code, sessions, answer):
    store = classroom.SqliteBackend(where) if kind == "sqlite" else classroom.RedisBackend(where)
    room = Classroom(store)
    for session in sessions:
        room.vote(code, session, 0, answer)


def test_several_processes_voting_at_once_are_each_counted_once(make_store):
    store = make_store()
    room = Classroom(store)
    cls, _ = room.start(3)
    kind, where = ("sqlite", store.path) if isinstance(store, classroom.SqliteBackend) else ("redis", _url(store))
    ctx = multiprocessing.get_context("fork")  # each child opens its own connection
    procs = [
        ctx.Process(
            target=_process_votes,
            args=(kind, where, cls.code, [f"p{p}-{k}" for k in range(10)], cls.question.choices[p % 2]),
        )
        for p in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    answers = room.tally(cls.code)[1]
    assert len(answers) == 40 and answers.count(cls.question.choices[0]) == 20


def _url(store):
    kwargs = store.db.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


def test_the_backend_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(classroom.REDIS_VARIABLE, raising=False)
    monkeypatch.setenv(classroom.DB_VARIABLE, str(tmp_path / "x.db"))
    store = classroom.backend()
    assert isinstance(store, classroom.SqliteBackend) and store.path == str(tmp_path / "x.db")
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    monkeypatch.delenv(classroom.DB_VARIABLE)
    assert classroom.backend().path == os.path.join(tempfile.gettempdir(), "unrolled-classes.db")


def test_redis_is_used_when_its_variable_names_a_server(monkeypatch, redis_url):
    monkeypatch.setenv(classroom.REDIS_VARIABLE, redis_url)
    store = classroom.backend()
    assert isinstance(store, classroom.RedisBackend)
    cls, _ = Classroom(store).start(2)
    assert classroom.TTL - 60 < store.db.ttl(f"unrolled:class:{cls.code}") <= classroom.TTL + 1


def test_the_class_benchmark_counts_every_vote_once(make_store):
    from bench import classload

    result = classload.run(6, 1.0, 0, make_store)
    assert result.counted == 6 and result.right_answers and not result.errors
    assert len(result.latencies) == 6 and len(result.ages) == 6


def test_a_browser_votes_as_one_voter_whichever_replica_answers_it():
    """A student's voter id is the token in Streamlit's XSRF cookie, which every replica's answer masks anew: the
    same token under two masks is one voter, another browser's token another; a cookie not in that form has none."""
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    from ui.class_controls import _browser_token

    token = os.urandom(16)
    first, again = generate_xsrf_token_string(token, 1), generate_xsrf_token_string(token, 1)
    assert first != again and _browser_token(first) == _browser_token(f'"{again}"') == token
    assert _browser_token(generate_xsrf_token_string()) not in (token, None)
    for bad in ("", "2|zz|00|1", "1|abc", "2|0000|" + "00" * 16 + "|1", "3|00000000|" + "00" * 16 + "|1"):
        assert _browser_token(bad) is None, bad
