"""Uploads for the Train page: a CSV of prices in, a small JSON of weights in and out.

Every problem raises ValueError with one sentence a learner can act on; the page shows it by the uploader.
"""

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simulator.data import MAX_VALUES
from simulator.models.rnn import ACTIVATIONS

MAX_BYTES = 1_000_000
MAX_ROWS = MAX_VALUES
MAX_LINE = 10_000
MAX_WEIGHT_BYTES = 10_000
WEIGHT_NAMES = ("w_x", "w_h", "b", "w_y", "b_y")
FORMAT = "unrolled-weights/1"
DELIMITERS = "\t;|,"  # preferred in this order when several split the lines evenly: a comma may be a decimal comma
DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
PRICE_NAMES = ("close", "adj close", "adj_close", "price", "value")
MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"%PDF": "a PDF", b"\x1f\x8b": "a gzip archive"}
MAGIC |= {b"PK\x03\x04": "an Excel .xlsx workbook or a zip archive", b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook"}


@dataclass(frozen=True)
class Table:
    """A CSV file as stripped text cells; `lines` are the rows' line numbers in the file, for messages."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def numeric(self):
        """Names of the columns whose every cell is a finite number."""
        return tuple(c for j, c in enumerate(self.columns) if all(_finite(row[j]) for row in self.rows))

    def line(self, i):
        return self.lines[i] if self.lines else i + 1


def _float(s):
    try:
        return float(s)
    except ValueError:
        return None


def _finite(s):
    x = _float(s)
    return x is not None and math.isfinite(x)


def _name(s):
    """A header cell: text that is not a number, nor a number with a decimal comma."""
    return bool(s) and _float(s) is None and not DECIMAL_COMMA.fullmatch(s)


def _show(s, n=20):
    return repr(s if len(s) <= n else s[:n] + "…")


def _text(raw, what, limit, fix):
    """bytes -> str, or ValueError for a file that is too big, binary or not UTF-8."""
    if len(raw) > limit:
        unit, scale = ("MB", 1e6) if limit >= 1e6 else ("KB", 1e3)
        size = f"{len(raw) / scale:.1f} {unit}" if round(len(raw) / scale, 1) > limit / scale else f"{len(raw):,} bytes"
        raise ValueError(f"The {what} is {size}; the limit is {limit / scale:g} {unit}.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(f"The {what} is UTF-16 text; {fix}.")
    kind = next((k for magic, k in MAGIC.items() if raw.startswith(magic)), None)
    if kind or b"\x00" in raw:
        kind = kind or "e.g. an Excel workbook or an image"
        raise ValueError(f"This looks like a binary file ({kind}), not text; {fix}.")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        byte = f"byte 0x{raw[e.start]:02X} at position {e.start}"
        raise ValueError(f"The {what} is not UTF-8 text ({byte}); {fix}.") from None


def _delimiter(text):
    """The delimiter that splits the first line into > 1 cells and the most of the next lines into as many."""
    sample = [line for line in text.splitlines() if line.strip()][:20]
    best, best_score = None, (0,)
    for rank, d in enumerate(DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=d)]
        except csv.Error:  # a quoted field longer than csv's limit; reading the file will say so
            continue
        score = (sum(c == counts[0] for c in counts), -rank)
        if counts and counts[0] > 1 and score > best_score:
            best, best_score = d, score
    return best or next((d for d in DELIMITERS if not any(d in line for line in sample)), ",")  # one column


def _unique(names):
    out = []
    for j, name in enumerate(names):
        base = name = name or f"column {j + 1}"
        k = 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return tuple(out)


def read_table(raw: bytes) -> Table:
    """CSV bytes -> Table; the encoding's BOM, the delimiter and the header are detected."""
    text = _text(raw, "file", MAX_BYTES, "save it as CSV UTF-8")
    if not text.strip():
        raise ValueError("The file is empty; it needs a column of prices.")
    if text.lstrip()[0] == "<":
        raise ValueError("This looks like a web page (HTML), not CSV; download the data as a CSV file.")
    if text.lstrip()[0] in "{[":
        raise ValueError("This looks like JSON, not CSV; save the prices as a CSV file.")
    for n, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise ValueError(f"Line {n} has {len(line):,} characters; the limit is {MAX_LINE:,}.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), skipinitialspace=True, strict=True)
    records, last = [], 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):  # blank lines (and lines of only delimiters) are skipped
                records.append((reader.line_num, tuple(cell.strip() for cell in row)))
            last = reader.line_num
    except csv.Error as e:
        raise ValueError(f'Line {last + 1} is not valid CSV ({e}); check for a quote (") left open.') from None
    if not records:
        raise ValueError("The file has no values, only empty cells.")
    first, below = records[0][1], records[1:]
    header = all(not c or _name(c) for c in first) or any(  # only names, or a name over a column of numbers
        _name(c) and any(j < len(r) and _float(r[j]) is not None for _, r in below) for j, c in enumerate(first)
    )
    columns = _unique(first) if header else tuple(f"column {j + 1}" for j in range(len(first)))
    records = below if header else records
    for n, row in records:
        if len(row) != len(columns):
            top = "header" if header else "first row"
            raise ValueError(f"Row {n} has {len(row)} cells; the {top} has {len(columns)}.")
    if not records:
        raise ValueError(f"The file has a header ({', '.join(columns)[:60]}) but no rows of data.")
    if len(records) > MAX_ROWS:
        raise ValueError(f"The file has {len(records):,} rows; the limit is {MAX_ROWS:,}.")
    table = Table(columns, tuple(r for _, r in records), tuple(n for n, _ in records))
    if not table.numeric:
        raise ValueError(_no_numbers(table))
    return table


def _no_numbers(table):
    """'No column holds only numbers: price: row 5 is 'n/a'; ...': price-like names first, then columns with numbers."""
    bad, hint = [], ""
    key = [
        (c.lower() not in PRICE_NAMES, not any(_finite(r[j].replace(",", ".")) for r in table.rows))
        for j, c in enumerate(table.columns)
    ]
    for j in sorted(range(len(table.columns)), key=key.__getitem__):
        i = next(i for i, r in enumerate(table.rows) if not _finite(r[j]))
        cell = table.rows[i][j]
        why = "empty" if not cell else _show(cell) + (" (not finite)" if _float(cell) is not None else "")
        bad.append(f"{table.columns[j][:20]}: row {table.line(i)} is {why}")
        hint = hint or (" (use a dot for decimals)" if DECIMAL_COMMA.fullmatch(cell) else "")
    message = "No column holds only numbers: " + "; ".join(bad)
    return (message if len(message) <= 160 else message[:159] + "…") + hint + "."


def guess_columns(table: Table) -> tuple[str | None, str]:
    """(date column or None, price column): a column named like close/price/value, else the last numeric one."""
    numeric = table.numeric
    if not numeric:
        raise ValueError(_no_numbers(table) if table.rows else "The file has no rows of data.")
    price = next((c for name in PRICE_NAMES for c in numeric if c.strip().lower() == name), numeric[-1])
    others = [c for c in table.columns if c not in numeric]
    date = next((c for c in others if any(w in c.lower() for w in ("date", "time", "day", "week"))), None)
    return date or (others[0] if others else None), price


def prices(table: Table, column: str) -> np.ndarray:
    """One column's cells as float64 (T,); ValueError names the first cell that is not a finite number."""
    if column not in table.columns:
        raise ValueError(f"There is no column {_show(column)}; the columns are {', '.join(table.columns)[:80]}.")
    j = table.columns.index(column)
    for i, row in enumerate(table.rows):
        cell, where = row[j], f"Row {table.line(i)} of {column[:30]}"
        if not cell:
            raise ValueError(f"{where} is empty; every row needs a price.")
        if _float(cell) is None:
            hint = "; use a dot for decimals" if DECIMAL_COMMA.fullmatch(cell) else ""
            raise ValueError(f"{where} is {_show(cell)}, not a number{hint}.")
        if not _finite(cell):
            raise ValueError(f"{where} is {_show(cell)}: prices must be finite numbers.")
    if len(table.rows) < 2:
        raise ValueError(f"Training needs at least 2 prices (today and tomorrow); the file has {len(table.rows)}.")
    return np.array([float(row[j]) for row in table.rows], dtype=np.float64)


def weights_json(values: dict) -> str:
    """{'w_x': 1.8, ..., 'activation': 'relu'} -> pretty JSON; floats are written exactly (repr), so they round-trip."""
    if values["activation"] not in ACTIVATIONS:
        raise ValueError(f"activation {values['activation']!r} is not one of {', '.join(ACTIVATIONS)}.")
    out = {"format": FORMAT, "activation": values["activation"]} | {k: float(values[k]) for k in WEIGHT_NAMES}
    for name in WEIGHT_NAMES:
        if not math.isfinite(out[name]):
            raise ValueError(f"{name} is {out[name]}; only finite weights can be saved.")
    return json.dumps(out, indent=2, allow_nan=False) + "\n"


def _constant(name):
    raise ValueError(f"The weights file holds {name}; weights must be finite numbers.")


def read_weights(raw: bytes) -> dict:
    """The JSON that weights_json writes -> {'w_x': float, ..., 'b_y': float, 'activation': str}; extra keys ignored."""
    text = _text(raw, "weights file", MAX_WEIGHT_BYTES, "save it as UTF-8 JSON")
    try:  # parse_int=float: no int-size limit, and 1e999 and 9999...9 both become inf
        obj = json.loads(text, parse_constant=_constant, parse_int=float)
    except json.JSONDecodeError as e:
        raise ValueError(f"The weights file is not valid JSON ({e.msg} at line {e.lineno}, col {e.colno}).") from None
    except RecursionError:
        raise ValueError("The weights file is nested too deeply to be weights.") from None
    if not isinstance(obj, dict):
        kind = {list: "a list", str: "a string", float: "a number", bool: "true/false"}.get(type(obj), "null")
        raise ValueError(f'The weights file must hold one JSON object like {{"w_x": 1.8, ...}}, not {kind}.')
    if obj.get("format", FORMAT) != FORMAT:
        raise ValueError(f"The weights file's format is {_show(str(obj['format']))}; this app reads {FORMAT!r}.")
    for name in WEIGHT_NAMES:
        if name not in obj:
            raise ValueError(f"The weights file has no {name!r}; it needs {', '.join(WEIGHT_NAMES)} and activation.")
        if type(obj[name]) is not float:  # not bool, str, null, list or object
            raise ValueError(f"{name} must be a number, not {json.dumps(obj[name])[:20]}.")
        if not math.isfinite(obj[name]):
            raise ValueError(f"{name} is {obj[name]}; weights must be finite numbers.")
    activation = obj.get("activation")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        shown = "missing" if "activation" not in obj else json.dumps(activation)[:20]
        raise ValueError(f"activation is {shown}; use one of {', '.join(ACTIVATIONS)}.")
    return {name: obj[name] for name in WEIGHT_NAMES} | {"activation": activation}
