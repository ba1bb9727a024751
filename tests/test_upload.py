"""Uploaded CSV prices and weight files: good files parse exactly, hostile ones fail with one clear sentence."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.data import parse_sequence
from simulator.models.rnn import ACTIVATIONS
from simulator.upload import (
    MAX_BYTES,
    MAX_ROWS,
    WEIGHT_NAMES,
    Table,
    guess_columns,
    prices,
    read_table,
    read_weights,
    weights_json,
)

HOSTILE = Path(__file__).parent / "hostile"

# Each hostile CSV and the words its message must contain.
CSV_MESSAGES = {
    "binary_junk.bin": "binary file (e.g. an Excel workbook or an image)",
    "bom_only.csv": "The file is empty",
    "currency_symbol.csv": "price: row 2 is '$1.50'",
    "decimal_comma_one_column.csv": "price: row 2 is '1,5' (use a dot for decimals)",
    "decimal_comma_semicolon.csv": "use a dot for decimals",
    "empty.csv": "The file is empty",
    "empty_cell.csv": "price: row 3 is empty",
    "excel_xlsx_bytes.csv": "Excel .xlsx workbook",
    "formula_injection.csv": "row 2 is \"=cmd|' /C calc'!A0\"",
    "gzip_compressed.csv": "gzip archive",
    "html_page.csv": "web page (HTML)",
    "huge_number_overflow.csv": "row 3 is '1e400' (not finite)",
    "inf_cell.csv": "row 3 is 'inf' (not finite)",
    "json_not_csv.csv": "looks like JSON",
    "latin1_prices.csv": "not UTF-8 text (byte 0xE9 at position 4)",
    "nan_cell.csv": "row 3 is 'nan' (not finite)",
    "no_numeric_column.csv": "No column holds only numbers: name: row 2 is 'apple'",
    "nul_bytes.csv": "binary file",
    "one_price_with_header.csv": "at least 2 prices (today and tomorrow); the file has 1.",
    "only_commas.csv": "only empty cells",
    "only_header.csv": "header (date, price) but no rows of data",
    "pdf_document.csv": "(a PDF)",
    "png_image.csv": "(a PNG image)",
    "quotes_unbalanced.csv": 'Line 2 is not valid CSV (unexpected end of data); check for a quote (") left open.',
    "ragged_rows.csv": "Row 4 has 3 cells; the header has 2.",
    "single_value.csv": "at least 2 prices (today and tomorrow); the file has 1.",
    "text_in_price.csv": "price: row 3 is 'n/a'",
    "thousands_separator.csv": "price: row 2 is '1,234.50'",
    "title_line.csv": "row 2 is 'price'",  # the title line is read as the header; the message points below it
    "too_many_rows.csv": "The file has 10,001 rows; the limit is 10,000.",
    "utf16_bom.csv": "UTF-16",
    "very_long_line.csv": "Line 3 has 12,000 characters; the limit is 10,000.",
    "whitespace_only.csv": "The file is empty",
    "windows1252_euro.csv": "byte 0x80 at position 14",
    "zip_file.csv": "zip archive",
}

WEIGHT_MESSAGES = {
    "a_list.json": "not a list",
    "bool_value.json": "w_h must be a number, not true.",
    "deeply_nested.json": "nested too deeply",
    "empty.json": "not valid JSON (Expecting value at line 1, col 1)",
    "huge_integer.json": "w_x is inf; weights must be finite",
    "infinity_literal.json": "holds -Infinity",
    "missing_activation.json": "activation is missing; use one of relu, tanh, sigmoid, identity.",
    "missing_key.json": "has no 'b_y'",
    "nan_literal.json": "holds NaN",
    "nested_object.json": 'w_x must be a number, not {"value": 1.8}.',
    "non_utf8.json": "not UTF-8 text (byte 0xE9 at position 144)",
    "not_json.json": "not valid JSON (Expecting value at line 1, col 1)",
    "null_value.json": "b must be a number, not null.",
    "overflow_1e999.json": "w_x is inf; weights must be finite",
    "png_image.json": "(a PNG image)",
    "string_number.json": 'w_x must be a number, not "1.8".',
    "too_big.json": "11.1 KB; the limit is 10 KB.",
    "trailing_comma.json": "at line 9, col 1",
    "unknown_activation.json": 'activation is "softmax"',
    "wrong_format.json": "format is 'unrolled-weights/2'",
}


def files(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".md")


def load(raw):
    """What the Train page does with an upload."""
    table = read_table(raw)
    return prices(table, guess_columns(table)[1])


def test_every_hostile_file_is_pinned_to_its_message():
    assert files(HOSTILE) == sorted(CSV_MESSAGES)
    assert files(HOSTILE / "weights") == sorted(WEIGHT_MESSAGES)
    assert len(CSV_MESSAGES) >= 20 and len(WEIGHT_MESSAGES) >= 10
    readme = (HOSTILE / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in [*CSV_MESSAGES, *WEIGHT_MESSAGES])


@pytest.mark.parametrize("name", files(HOSTILE))
def test_hostile_csv_gets_one_clear_message(name):
    with pytest.raises(ValueError) as e:
        load((HOSTILE / name).read_bytes())
    message = str(e.value)
    assert 0 < len(message) <= 300 and "\n" not in message
    assert CSV_MESSAGES[name] in message


@pytest.mark.parametrize("name", files(HOSTILE / "weights"))
def test_hostile_weights_get_one_clear_message(name):
    with pytest.raises(ValueError) as e:
        read_weights((HOSTILE / "weights" / name).read_bytes())
    message = str(e.value)
    assert 0 < len(message) <= 300 and "\n" not in message
    assert WEIGHT_MESSAGES[name] in message


@pytest.mark.parametrize(
    ("name", "columns", "guess", "expected"),
    [
        ("one_column_no_header.csv", ("column 1",), (None, "column 1"), [0, 0.5, 1, 0.25]),
        (
            "semicolon_dates_header.csv",
            ("Date", "Open", "High", "Low", "Close", "Volume"),
            ("Date", "Close"),
            [10.75, 11.25, 9.75],
        ),
        ("tab_delimited.csv", ("week", "value"), ("week", "value"), [3.5, -0.001, 4]),
        ("bom_crlf.csv", ("time", "price"), ("time", "price"), [101.25, 101.5, 100.875]),
    ],
)
def test_good_files_parse_exactly(name, columns, guess, expected):
    table = read_table((HOSTILE / "good" / name).read_bytes())
    assert table.columns == columns
    assert guess_columns(table) == guess
    got = prices(table, guess[1])
    assert got.dtype == np.float64 and got.tolist() == expected


def test_good_files_are_all_tested():
    assert files(HOSTILE / "good") == sorted(
        ["one_column_no_header.csv", "semicolon_dates_header.csv", "tab_delimited.csv", "bom_crlf.csv"]
    )


def test_bom_crlf_rows_keep_their_line_numbers_past_the_blank_line():
    table = read_table((HOSTILE / "good" / "bom_crlf.csv").read_bytes())
    assert table.rows == (("09:30", "101.25"), ("09:31", "101.5"), ("09:32", "100.875"))
    assert table.lines == (2, 4, 5)


@pytest.mark.parametrize(
    ("size", "message"),
    [(1_300_000, "The file is 1.3 MB; the limit is 1 MB."), (MAX_BYTES + 1, "The file is 1,000,001 bytes;")],
)
def test_too_big_a_file_says_its_size(size, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        read_table(b"1\n" * (size // 2) + b"1" * (size % 2))


def test_cr_only_newlines_and_quoted_cells():
    table = read_table(b'date|price\r"2024-01-02"|"1.5"\r2024-01-03|2\r')
    assert table == Table(("date", "price"), (("2024-01-02", "1.5"), ("2024-01-03", "2")))
    assert prices(table, "price").tolist() == [1.5, 2.0]


def test_semicolon_wins_over_decimal_commas_without_a_header():
    with pytest.raises(ValueError) as e:
        read_table(b"1,5;2,5\n3,5;4,5\n")
    assert str(e.value) == (
        "No column holds only numbers: column 1: row 1 is '1,5'; column 2: row 1 is '2,5' (use a dot for decimals)."
    )


def test_duplicate_and_empty_header_names_are_made_unique():
    table = read_table(b"price,price,,x\n1,2,3,a\n4,5,6,b\n")
    assert table.columns == ("price", "price (2)", "column 3", "x")
    assert table.numeric == ("price", "price (2)", "column 3")
    assert guess_columns(table) == ("x", "price")


@pytest.mark.parametrize(
    ("columns", "guess"),
    [
        (("Date", "Open", "Close", "Adj Close", "Volume"), ("Date", "Close")),
        (("day", "adj_close", "volume"), ("day", "adj_close")),
        (("ticker", "when_time", "a", "b"), ("when_time", "b")),
        (("ticker", "x"), ("ticker", "x")),
        (("x", "y"), (None, "y")),
    ],
)
def test_guess_columns(columns, guess):
    text = lambda c: "AAA" if c in ("Date", "day", "ticker", "when_time") else "1"  # noqa: E731
    table = Table(columns, tuple(tuple(text(c) for c in columns) for _ in range(3)))
    assert guess_columns(table) == guess


def test_guess_columns_needs_a_numeric_column():
    with pytest.raises(ValueError, match=re.escape("No column holds only numbers: a: row 1 is 'x'.")):
        guess_columns(Table(("a",), (("x",),)))


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (("1", "abc"), "Row 2 of price is 'abc', not a number."),
        (("1", "1,5"), "Row 2 of price is '1,5', not a number; use a dot for decimals."),
        (("nan", "1"), "Row 1 of price is 'nan': prices must be finite numbers."),
        (("1", "-1e400"), "Row 2 of price is '-1e400': prices must be finite numbers."),
        (("1", ""), "Row 2 of price is empty"),
        (("1",), "Training needs at least 2 prices (today and tomorrow); the file has 1."),
    ],
)
def test_prices_name_the_first_bad_cell(cells, message):
    with pytest.raises(ValueError) as e:
        prices(Table(("price",), tuple((c,) for c in cells)), "price")
    assert message in str(e.value)


def test_prices_use_the_files_line_numbers_and_know_the_columns():
    table = read_table(b"price,volume\n\n1,2\n\n3,x\n")
    with pytest.raises(ValueError, match="Row 5 of volume is 'x'"):
        prices(table, "volume")
    with pytest.raises(ValueError, match=re.escape("There is no column 'close'; the columns are price, volume.")):
        prices(table, "close")


def test_no_numeric_column_message_stays_short():
    header = ",".join(f"name{j}" for j in range(40)).encode()
    with pytest.raises(ValueError) as e:
        read_table(header + b"\n" + b",".join([b"word"] * 40) + b"\n")
    assert str(e.value).startswith("No column holds only numbers: name0: row 2 is 'word'")
    assert len(str(e.value)) <= 200


WEIGHTS = {"w_x": 1.8, "w_h": -0.5, "b": 0.0, "w_y": 1.1, "b_y": 0.0, "activation": "relu"}


def test_weights_json_is_pretty_and_tagged():
    text = weights_json(WEIGHTS)
    assert text.startswith('{\n  "format": "unrolled-weights/1",\n  "activation": "relu",\n  "w_x": 1.8,')
    assert read_weights(text.encode()) == WEIGHTS


def test_read_weights_takes_ints_a_bom_and_ignores_extra_keys():
    raw = b'\xef\xbb\xbf{"w_x": 2, "w_h": 0, "b": -1, "w_y": 1e2, "b_y": 0.5, "activation": "tanh", "note": [1]}'
    assert read_weights(raw) == {"w_x": 2.0, "w_h": 0.0, "b": -1.0, "w_y": 100.0, "b_y": 0.5, "activation": "tanh"}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_weights_json_refuses_non_finite_weights(bad):
    with pytest.raises(ValueError, match="only finite weights"):
        weights_json({**WEIGHTS, "w_h": bad})


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[finite] * len(WEIGHT_NAMES)), st.sampled_from(sorted(ACTIVATIONS)))
def test_weights_round_trip_exactly(xs, activation):
    values = {**dict(zip(WEIGHT_NAMES, xs, strict=True)), "activation": activation}
    back = read_weights(weights_json(values).encode())
    assert back == values and all(math.copysign(1, back[k]) == math.copysign(1, values[k]) for k in WEIGHT_NAMES)


def returned(fn, *args):
    """fn(*args), or None when it raises ValueError with a short message (any other exception fails the test)."""
    try:
        return fn(*args)
    except ValueError as e:
        assert 0 < len(str(e)) <= 300
        return None


def check(raw):
    """read_table, guess_columns and prices raise only ValueError; a table they return is well formed."""
    if (table := returned(read_table, raw)) is None:
        return
    assert table.rows and len(table.rows) <= MAX_ROWS
    assert all(len(row) == len(table.columns) for row in table.rows)
    assert len(set(table.columns)) == len(table.columns)
    if (xs := returned(lambda: prices(table, guess_columns(table)[1]))) is None:
        return
    assert xs.dtype == np.float64 and xs.ndim == 1 and len(xs) >= 2 and np.isfinite(xs).all()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_value_error(raw):
    check(raw)


cells = st.one_of(
    finite.map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["", " ", "price", "date", "n/a", "nan", "inf", "1e400", "1,5", '"', '""', "'", "=1+2"]),
    st.sampled_from([",", ";", "\t", "|", '"a,b"', '"x""y"', "\r", "\n"]),
    st.text(max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_random_tables_raise_only_value_error(rows, delimiter, newline):
    check(newline.join(delimiter.join(row) for row in rows).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(finite, min_size=2, max_size=50),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_a_column_of_floats_comes_back_exactly(xs, delimiter, newline, bom):
    lines = ["date" + delimiter + "price"] + [f"2024-01-{i % 28 + 1:02d}{delimiter}{x!r}" for i, x in enumerate(xs)]
    table = read_table((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode())
    assert guess_columns(table) == ("date", "price")
    assert prices(table, "price").tolist() == [float(repr(x)) for x in xs]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_parse_sequence_returns_finite_values_or_value_error(text):
    if (xs := returned(parse_sequence, text)) is None:
        return
    assert xs.dtype == np.float64 and xs.ndim == 1 and 1 <= len(xs) <= 10_000 and np.isfinite(xs).all()
