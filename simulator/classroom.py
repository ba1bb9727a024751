"""The class store: live votes for "predict, then reveal", kept outside server memory.

A class has a short code (6 digits: students type it or open its link), a teacher secret (16 digits, kept only as
its SHA-256, compared in constant time), the current question (the quiz seed and an index into it), whether its
answer is revealed, and the votes: one per student session id per question (a student may change it until the
reveal), anonymous, nothing personal. A class ends 4 hours after it starts.

Two backends behind one interface (`Backend`): SQLite (the standard library, WAL mode; the file named by
UNROLLED_CLASS_DB, else one in the system temp dir) and Redis (when UNROLLED_REDIS_URL names a server, so that
replicas behind a balancer share a class). `Classroom` checks every input and says in a sentence (`ClassError`)
what is wrong; a refused action changes nothing.
"""

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import tempfile
import time
from dataclasses import dataclass

from . import questions

TTL = 4 * 3600  # seconds a class lasts
CODES = (100_000, 999_999)  # a class code is 6 digits: a phone's number pad types it, a projector shows it big
SECRETS = (10**15, 2**53 - 1)  # a teacher secret is 16 digits (52.8 bits), exact as a link's number
SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
RATE_WINDOW, RATE_LIMIT = 10, 5  # votes a session may send to a class in each 10 s
MAX_VOTERS = 500  # sessions that may vote on one question
DB_VARIABLE, REDIS_VARIABLE = "UNROLLED_CLASS_DB", "UNROLLED_REDIS_URL"


class ClassError(ValueError):
    """A refused class action, with a sentence for the person who tried it."""


@dataclass(frozen=True)
class Class:
    """A class as stored: code, quiz seed, the current question's index, revealed or not, when it ends (epoch s)."""

    code: str
    seed: int
    index: int
    revealed: bool
    expires: float

    @property
    def question(self):
        return questions.quiz(self.seed)[self.index]


def _draw(span):
    return span[0] + secrets.randbelow(span[1] - span[0] + 1)


def _number(value, span):
    """A whole number in `span` from an int or its digits (spaces around allowed), else None."""
    if isinstance(value, str) and 0 < len(value) <= 40 and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and span[0] <= value <= span[1] else None


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class SqliteBackend:
    """Classes, votes and vote counts in one SQLite file, a connection per operation (sessions run on threads)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS classes (code TEXT PRIMARY KEY, secret TEXT NOT NULL, seed INTEGER NOT NULL,
        idx INTEGER NOT NULL, revealed INTEGER NOT NULL, expires REAL NOT NULL);
    CREATE TABLE IF NOT EXISTS votes (code TEXT NOT NULL, idx INTEGER NOT NULL, session TEXT NOT NULL,
        answer TEXT NOT NULL, PRIMARY KEY (code, idx, session));
    CREATE TABLE IF NOT EXISTS rates (code TEXT NOT NULL, session TEXT NOT NULL, window INTEGER NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (code, session, window));
    """

    def __init__(self, path):
        self.path = str(path)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer; kept in the file
            db.executescript(self.SCHEMA)
        finally:
            db.close()

    def _connect(self, write=True):
        return _Transaction(sqlite3.connect(self.path, timeout=30, isolation_level=None), write)

    def create(self, code, secret, seed, expires, now):
        """Insert a class; False if the code is taken. Ended classes and their votes go first."""
        with self._connect() as db:
            db.execute("DELETE FROM votes WHERE code IN (SELECT code FROM classes WHERE expires <= ?)", (now,))
            db.execute("DELETE FROM classes WHERE expires <= ?", (now,))
            db.execute("DELETE FROM rates WHERE window < ?", (int(now // RATE_WINDOW) - 1,))
            try:
                db.execute("INSERT INTO classes VALUES (?, ?, ?, 0, 0, ?)", (code, secret, seed, expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def load(self, code):
        """{secret, seed, index, revealed, expires} or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT secret, seed, idx, revealed, expires FROM classes WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else dict(zip(("secret", "seed", "index", "revealed", "expires"), row, strict=True))

    def move(self, code, seen, index, revealed):
        """Set the question and reveal if the class is still at `seen` (index, revealed); True if it was."""
        with self._connect() as db:
            cur = db.execute("UPDATE classes SET idx = ?, revealed = ? WHERE code = ? AND idx = ? AND revealed = ?",
                             (index, int(revealed), code, seen[0], int(seen[1])))  # fmt: skip
            return cur.rowcount == 1

    def vote(self, code, index, session, answer, window, max_voters):
        """Count one attempt (in `window`), then keep the vote: 'ok', 'gone', 'moved', 'revealed', 'flood' (more than
        RATE_LIMIT attempts in the window) or 'full' (`max_voters` others have voted)."""
        with self._connect() as db:
            row = db.execute("SELECT idx, revealed FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None:
                return "gone"
            if row[0] != index:
                return "moved"
            if row[1]:
                return "revealed"
            (count,) = db.execute(
                "INSERT INTO rates VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count",
                (code, session, window),
            ).fetchone()
            if count > RATE_LIMIT:
                return "flood"
            key = (code, index, session)
            voted = db.execute("SELECT 1 FROM votes WHERE code = ? AND idx = ? AND session = ?", key).fetchone()
            if not voted:
                (voters,) = db.execute("SELECT COUNT(*) FROM votes WHERE code = ? AND idx = ?", key[:2]).fetchone()
                if voters >= max_voters:
                    return "full"
            db.execute("INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?)", (*key, answer))
        return "ok"

    def answers(self, code, index):
        """Every session's vote on question `index`."""
        with self._connect(write=False) as db:
            rows = db.execute("SELECT answer FROM votes WHERE code = ? AND idx = ?", (code, index)).fetchall()
        return [answer for (answer,) in rows]


class _Transaction:
    """`with` a connection: one transaction (a write takes the lock first: BEGIN IMMEDIATE), committed on success,
    then closed."""

    def __init__(self, db, write):
        self.db, self.write = db, write

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE" if self.write else "BEGIN")
        return self.db

    def __exit__(self, kind, *_):
        try:
            self.db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.db.close()


VOTE_LUA = """
local class = redis.call('HMGET', KEYS[1], 'index', 'revealed')
if not class[1] then return 'gone' end
if class[1] ~= ARGV[1] then return 'moved' end
if class[2] == '1' then return 'revealed' end
local count = redis.call('INCR', KEYS[3])
if count == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
if count > tonumber(ARGV[4]) then return 'flood' end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[6]) then
  return 'full'
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expires_at'))
return 'ok'
"""
MOVE_LUA = """
local class = redis.call('HMGET', KEYS[1], 'index', 'revealed')
if class[1] ~= ARGV[1] or class[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'index', ARGV[3], 'revealed', ARGV[4])
return 1
"""


class RedisBackend:
    """The same in Redis: a hash per class, a hash of votes per question, a counter per session and window; every
    key ends with its class (EXPIREAT). Checks and writes run as one Lua script each, so replicas never race."""

    PREFIX = "unrolled:"

    def __init__(self, url):
        import redis  # only when a server is named: requirements.txt does not carry it

        self.db = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._vote, self._move = self.db.register_script(VOTE_LUA), self.db.register_script(MOVE_LUA)

    def _key(self, *parts):
        return self.PREFIX + ":".join(map(str, parts))

    def create(self, code, secret, seed, expires, now):
        key = self._key("class", code)
        record = {"secret": secret, "seed": seed, "index": 0, "revealed": 0, "expires": repr(expires),
                  "expires_at": int(expires) + 1}  # fmt: skip
        if not self.db.hsetnx(key, "secret", secret):
            return False
        with self.db.pipeline() as pipe:
            pipe.hset(key, mapping=record).expireat(key, int(expires) + 1).execute()
        return True

    def load(self, code):
        record = self.db.hgetall(self._key("class", code))
        if "expires" not in record:
            return None
        return {"secret": record["secret"], "seed": int(record["seed"]), "index": int(record["index"]),
                "revealed": record["revealed"] == "1", "expires": float(record["expires"])}  # fmt: skip

    def move(self, code, seen, index, revealed):
        args = (seen[0], int(seen[1]), index, int(revealed))
        return bool(self._move(keys=[self._key("class", code)], args=args))

    def vote(self, code, index, session, answer, window, max_voters):
        keys = [self._key("class", code), self._key("votes", code, index), self._key("rate", code, session, window)]
        return self._vote(keys=keys, args=(index, session, answer, RATE_LIMIT, 2 * RATE_WINDOW, max_voters))

    def answers(self, code, index):
        return self.db.hvals(self._key("votes", code, index))


def backend():
    """Redis if UNROLLED_REDIS_URL names a server, else SQLite at UNROLLED_CLASS_DB (default: the temp dir)."""
    if url := os.environ.get(REDIS_VARIABLE):
        return RedisBackend(url)
    return SqliteBackend(os.environ.get(DB_VARIABLE) or os.path.join(tempfile.gettempdir(), "unrolled-classes.db"))


class Classroom:
    """What a teacher and the students may do with a class; every refusal is a `ClassError` and changes nothing."""

    def __init__(self, store, clock=time.time, max_voters=MAX_VOTERS):
        self.store, self.clock, self.max_voters = store, clock, max_voters

    def start(self, seed=None):
        """A new class on the quiz of `seed` (random if None), at its first question: returns (Class, secret)."""
        if seed is None:
            seed = secrets.randbelow(questions.MAX_SEED + 1)
        if not (isinstance(seed, int) and 0 <= seed <= questions.MAX_SEED):
            raise ClassError(f"A quiz seed is a whole number from 0 to {questions.MAX_SEED:,}.")
        secret, now = _draw(SECRETS), self.clock()
        for _ in range(20):
            code = _draw(CODES)
            if self.store.create(str(code), digest(str(secret)), seed, now + TTL, now):
                return Class(code, seed, 0, False, now + TTL), secret
        raise ClassError("Could not find a free class code; try again.")

    def _record(self, code):
        typed, code = code, _number(code, CODES)
        if code is None and isinstance(typed, str) and re.fullmatch(r"[0-9]{6}", typed.strip()):
            raise ClassError(f"There is no class {typed.strip()}: check the code with your teacher.")  # 000000
        if code is None:
            raise ClassError("A class code is 6 digits, like 482913.")
        record = self.store.load(str(code))
        if record is None:
            raise ClassError(f"There is no class {code}: check the code with your teacher.")
        if self.clock() >= record["expires"]:
            raise ClassError(f"Class {code} has ended (a class lasts {TTL // 3600} hours): ask for a new code.")
        return code, record

    def get(self, code):
        """The class with this code (any case)."""
        code, r = self._record(code)
        return Class(code, r["seed"], r["index"], bool(r["revealed"]), r["expires"])

    def is_teacher(self, code, secret):
        """True if `secret` is this class's teacher secret (compared in constant time)."""
        _, record = self._record(code)
        given = _number(secret, SECRETS)
        return hmac.compare_digest(digest("" if given is None else str(given)), record["secret"])

    def _teacher(self, code, secret, seen):
        if not self.is_teacher(code, secret):
            raise ClassError("Only the teacher's link can change the question or reveal the answer.")
        current = self.get(code)
        if (current.index, current.revealed) != tuple(seen):
            raise ClassError(f"The class has moved on (question {current.index + 1} now); this action was not applied.")
        return current

    def go(self, code, secret, seen, index):
        """The teacher moves the class from `seen` (the (index, revealed) the teacher saw) to question `index`."""
        current = self._teacher(code, secret, seen)
        if not (isinstance(index, int) and 0 <= index < questions.COUNT):
            raise ClassError(f"There are {questions.COUNT} questions, 1 to {questions.COUNT}.")
        return self._move(current, seen, index, False)

    def reveal(self, code, secret, seen):
        """The teacher shows the current question's answer; voting on it ends."""
        current = self._teacher(code, secret, seen)
        return self._move(current, seen, current.index, True)

    def _move(self, current, seen, index, revealed):
        if not self.store.move(str(current.code), (int(seen[0]), bool(seen[1])), index, revealed):
            raise ClassError("The class has moved on meanwhile; this action was not applied.")
        return Class(current.code, current.seed, index, revealed, current.expires)

    def vote(self, code, session, index, answer):
        """A student's vote on question `index` (the one on their screen): returns it as counted."""
        current = self.get(code)
        if not isinstance(session, str) or not SESSION.fullmatch(session):
            raise ClassError("This screen's session id is not valid; reload the page.")
        if not isinstance(index, int) or index != current.index:
            raise ClassError(f"Voting on that question has closed: the class is on question {current.index + 1}.")
        try:
            answer = questions.checked(current.question, answer)
        except ValueError as err:
            raise ClassError(str(err)) from None
        window = int(self.clock() // RATE_WINDOW)
        status = self.store.vote(str(current.code), index, session, answer, window, self.max_voters)
        if status != "ok":
            raise ClassError(REFUSED[status].format(n=current.index + 1, most=self.max_voters))
        return answer

    def tally(self, code):
        """(the class, every vote on its current question)."""
        current = self.get(code)
        return current, self.store.answers(str(current.code), current.index)


REFUSED = {
    "gone": "This class has just ended.",
    "moved": "Voting on that question has closed: the class is on question {n}.",
    "revealed": "The answer is out: voting on question {n} has closed.",
    "flood": f"Too many votes from this screen: wait {RATE_WINDOW} seconds, then vote again.",
    "full": "This question already has {most} votes, the most a class takes.",
}
