"""Find every equation in a text the app shows and recompute it from the numbers it prints.

Every number on screen carries `explain.SIGNIFICANT` significant digits (`explain.fmt`), so a printed 0.0122 is
0.0122 ± 0.00005. Each side of `a = b` made only of numbers, + − × ·, parentheses, ReLU/tanh/σ and powers
(0.99¹⁰⁰⁰) is worked out as an interval from its printed operands; two sides agree when their intervals meet.
"""

import itertools
import math
import re
from decimal import Decimal, localcontext

from simulator.explain import SIGNIFICANT

TOKEN = re.compile(
    r"(?P<func>ReLU|tanh|σ)(?=\()|(?P<pow>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(?P<word>[^\W\d][\w'’′∂/]*|[∂′][\w'’′∂/]*)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e[−-]?\d+)?)|(?P<op>[×·*+−-])|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<eq>=)|(?P<space>\s+)|(?P<other>.)"
)
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def plain(text):
    """Text without HTML tags and Markdown emphasis, one line per <br>."""
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return text.replace("**", "").replace("&lt;", "<").replace("&gt;", ">")


def _tokens(line):
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(line) if m.lastgroup != "space"]


def _interval(number):
    """The values a printed number stands for: ± half a unit in its last significant digit."""
    v = Decimal(number.replace("−", "-"))
    if not v:
        return v, v
    half = Decimal(5) * Decimal(10) ** (v.adjusted() - SIGNIFICANT)
    return v - half, v + half


def _mul(a, b):
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _monotone(f, a):
    return tuple(Decimal(repr(f(float(max(min(x, Decimal(700)), Decimal(-700)))))) for x in a)


FUNCTIONS = {
    "ReLU": lambda a: (max(a[0], Decimal(0)), max(a[1], Decimal(0))),
    "tanh": lambda a: _monotone(math.tanh, a),
    "σ": lambda a: _monotone(lambda z: 1 / (1 + math.exp(-z)), a),
}


class _Parser:
    """Recursive descent over one run of tokens; `value` is the interval, or None when it is no arithmetic."""

    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self, kind, text=None):
        if self.i < len(self.tokens):
            k, t = self.tokens[self.i]
            return k == kind and (text is None or t in text)
        return False

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1][1]

    def expr(self):
        value = self.term()
        while self.peek("op", "+−-"):
            op, right = self.take(), self.term()
            value = (
                (value[0] + right[0], value[1] + right[1]) if op == "+" else (value[0] - right[1], value[1] - right[0])
            )
        return value

    def term(self):
        value = self.factor()
        while self.peek("op", "×·*"):
            self.take()
            value = _mul(value, self.factor())
        return value

    def factor(self):
        if self.peek("op", "−-"):
            self.take()
            lo, hi = self.factor()
            return -hi, -lo
        base = self.atom()
        if self.peek("pow"):
            k = int(self.take().translate(SUPERSCRIPT))
            base = tuple(sorted((base[0] ** k, base[1] ** k)))
        return base

    def atom(self):
        if self.peek("num"):
            return _interval(self.take())
        if self.peek("func"):
            f = FUNCTIONS[self.take()]
            if not self.peek("lp"):
                raise ValueError
            self.take()
            inner = self.expr()
            if not self.peek("rp"):
                raise ValueError
            self.take()
            return f(inner)
        if self.peek("lp"):
            self.take()
            inner = self.expr()
            if not self.peek("rp"):
                raise ValueError
            self.take()
            return inner
        raise ValueError


def _value(tokens):
    if not any(k == "num" for k, _ in tokens):
        return None
    parser = _Parser(tokens)
    try:
        with localcontext() as ctx:
            ctx.prec, ctx.Emax, ctx.Emin = 40, 10**6, -(10**6)
            value = parser.expr()
    except (ValueError, IndexError, ArithmeticError):
        return None
    return value if parser.i == len(tokens) else None


def _arithmetic(run, side):
    """The longest stretch of `run` next to the '=' (its end for the left side, its start for the right) that is
    arithmetic: (text, interval), or None."""
    for cut in range(len(run)):
        part = run[cut:] if side == "left" else run[: len(run) - cut]
        if part and (value := _value(part)) is not None:
            return " ".join(t for _, t in part), value
    return None


def equations(text):
    """Every `a = b` in `text` whose both sides are arithmetic: [(a, a's interval, b, b's interval)]."""
    found = []
    for line in plain(text).splitlines():
        runs, run = [], []
        for kind, t in _tokens(line):
            if kind == "eq":
                runs.append(run)
                run = []
            elif kind in ("word", "other") and t not in "()":
                run.append(("break", t))
            else:
                run.append((kind, t))
        runs.append(run)
        for left, right in itertools.pairwise(runs):
            a = _arithmetic(_tail(left), "left")
            b = _arithmetic(_head(right), "right")
            if a and b:
                found.append((*a, *b))
    return found


def _tail(run):
    cut = max((i for i, (k, _) in enumerate(run) if k == "break"), default=-1)
    return run[cut + 1 :]


def _head(run):
    cut = next((i for i, (k, _) in enumerate(run) if k == "break"), len(run))
    return run[:cut]


def wrong(text):
    """The equations in `text` whose two sides do not agree within the printed digits, as readable strings."""
    bad = []
    for a, (alo, ahi), b, (blo, bhi) in equations(text):
        slack = Decimal("1e-12") * max(abs(alo), abs(ahi), abs(blo), abs(bhi))
        if alo > bhi + slack or blo > ahi + slack:
            bad.append(f"{a} = {b}  ({alo}..{ahi} vs {blo}..{bhi})")
    return bad
