"""The sequences the app ships: the two companies, StatQuest's cases, and typed-in prices; `Prices`, the one type of a
labelled price sequence."""

import csv
import gzip
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from types import MappingProxyType

import numpy as np

MAX_VALUES = 10_000
MAX_CHARS = 200_000


@dataclass(frozen=True)
class Prices:
    """A labelled price sequence (a company, typed or uploaded prices, a stock): label, colour, the prices xs (T,)
    in `unit`, with a date each (or None); `own_scale` when they are on StatQuest's 0..1 scale (low 0, medium 0.5,
    high 1), never rescaled; `period`: what one price is, a 'day' or a 'week'."""

    label: str
    color: str
    xs: tuple | np.ndarray
    unit: str = ""
    dates: tuple | None = None
    own_scale: bool = False
    period: str = "day"

    @property
    def days(self):
        return len(self.xs)

    def array(self):
        """The same with xs as a numpy array (the companies hold a tuple)."""
        return replace(self, xs=np.array(self.xs))


@dataclass(frozen=True)
class Row:
    """One sequence through the network: its label, colour and forward trace; for the backward pass also its
    `bptt.Flow` and dL/dy_t (T,)."""

    label: str
    color: str
    trace: object
    flow: object = None
    dy: object = None

    @property
    def days(self):
        return len(self.trace.y)


# Illustrative values: StatQuest shows the two companies only as pictures, so these are our own.
STATQUEST_SCALE = "on StatQuest's scale"
BLUE = Prices(
    "Blue company", "#0072B2", (0.25, 0.5, 0.5, 0.25, 0.5, 0.75, 0.5, 0.75, 1.0), STATQUEST_SCALE, own_scale=True
)
RED = Prices("Red company", "#D55E00", (1.0, 0.75, 0.5, 0.5, 0.25), STATQUEST_SCALE, own_scale=True)
TYPED_COLOR = "#009E73"
COMPANIES = {"blue": (BLUE,), "red": (RED,), "both": (BLUE, RED)}


def chosen(sequence, typed=()):
    """The sequences the `seq` setting picks ('blue', 'red', 'both', or 'typed': the prices `typed`), each a
    `Prices` with numpy prices."""
    if sequence == "typed":
        return [Prices("Your prices", TYPED_COLOR, np.asarray(typed, dtype=np.float64), "as typed", own_scale=True)]
    return [company.array() for company in COMPANIES[sequence]]


STATQUEST_CASES = {  # prices -> StatQuest's prediction for tomorrow (statquest-numbers.md)
    (0.0, 0.0): 0.0,
    (0.0, 0.5): 0.99,
    (1.0, 0.5): 0.0,
    (1.0, 1.0): 0.99,
    (1.0, 0.5, 0.5): 0.99,
    (0.5, 0.5): 0.495,
}

STOCKS = ("GOOG", "AAPL", "AMZN", "FB", "NFLX", "MSFT")


@cache
def stocks():
    """Weekly closes of six stocks, 2018-2019, each relative to its first week (1.0 = the close on 2018-01-01):
    plotly's own copy of the dataset behind `plotly.express.data.stocks()`, read without pandas.

    Returns (dates, a tuple of W 'YYYY-MM-DD' strings; {ticker: closes (W,)}), read-only: the cache is shared.
    """
    with gzip.open(files("plotly") / "package_data" / "datasets" / "stocks.csv.gz", "rt") as f:
        header, *rows = csv.reader(f)
    dates, *columns = zip(*rows, strict=True)
    closes = {name: np.array(col, dtype=np.float64) for name, col in zip(header[1:], columns, strict=True)}
    for col in closes.values():
        col.flags.writeable = False
    return dates, MappingProxyType(closes)


_SEPARATORS = re.compile(r"[\s,;]+")


def _item(item, i):
    """'0.5' -> [0.5]; '0.5*1000' -> 1000 copies of 0.5 (so a long preset fits in a link)."""
    value, _, count = item.partition("*")
    try:
        x = float(value)
        n = int(count) if count else 1
    except ValueError:
        raise ValueError(f"Value {i + 1} ({item[:20]!r}) is not a number (or number*count).") from None
    if not np.isfinite(x):
        raise ValueError(f"Value {i + 1} ({item[:20]!r}) is not a finite number.")
    if n < 1:
        raise ValueError(f"Value {i + 1} ({item[:20]!r}) repeats fewer than once.")
    return x, n


def parse_sequence(text, max_values=MAX_VALUES):
    """'0, 0.5, 1' -> array([0., 0.5, 1.]); '0.5*3' repeats; raises ValueError with a message a learner can act on."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"That is {len(text):,} characters; paste at most {MAX_CHARS:,}.")
    items = [s for s in _SEPARATORS.split(text.strip()) if s]
    if not items:
        raise ValueError("Type at least one price, e.g. 0, 0.5, 1.")
    if len(items) > max_values:
        raise ValueError(f"That is {len(items):,} values; the limit is {max_values:,}.")
    runs = [_item(item, i) for i, item in enumerate(items)]
    total = sum(n for _, n in runs)
    if total > max_values:
        raise ValueError(f"That is {total:,} values; the limit is {max_values:,}.")
    return np.repeat([x for x, _ in runs], [n for _, n in runs]).astype(np.float64)
