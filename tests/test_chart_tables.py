"""Every chart on the Layer and Why LSTM pages has, under it, a table of its numbers, and the table holds the numbers
the figure draws (read back from the figure JSON, so a change to either alone fails)."""

import numpy as np
import pytest

from simulator import layer, state, why, why_figures
from simulator import layer_figures as figures
from simulator.explain import fmt, fmt_log10
from simulator.tables import DAY_ROWS, every, markdown, sampled
from tests.apptest import open_app, tables
from tests.spec import array

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}
LAYERS = {
    "one unit": {},
    "64 units": {"units": 64, "recipe": "radius", "rho": 1.1, "act": "tanh"},
    "overflow over 700 days": {"units": 4, "recipe": "identity", "rho": 3.0, "act": "identity", "seq": "typed",
                               "typed": "1*700"},
    "the trap": {"units": 3, "recipe": "trap"},
}  # fmt: skip
NOT_A_NUMBER = {"∞", "−∞", "NaN"}


def written(cell, value):
    """`cell` is how the table writes `value`, a number the figure draws (a gap where it is not finite)."""
    return cell == fmt(value) if np.isfinite(value) else cell in NOT_A_NUMBER


def spec(fig):
    return fig.to_dict()


@pytest.fixture(params=list(LAYERS), scope="module")
def built(request):
    return layer.build({**DEFAULTS, **LAYERS[request.param]})


def test_the_weights_table_is_the_heatmaps_numbers(built):
    params, _, _ = built
    matrix, vectors = spec(figures.weights(params))["data"]
    table = figures.weights_table(params)
    W, columns, n = array(matrix["z"]), array(vectors["z"]), params.n
    shown = min(n, figures.COLUMNS)
    assert list(table) == ["into unit", *(f"from\u00a0{h}" for h in matrix["x"][:shown]), *vectors["x"]]
    assert [f"unit {i}" for i in table["into unit"]] == matrix["y"]
    for i in range(n):
        assert all(written(table[f"from\u00a0h{j + 1}"][i], W[i, j]) for j in range(shown))
        assert all(written(table[name][i], columns[i, k]) for k, name in enumerate(vectors["x"]))
    note = figures.weights_note(params)
    assert (f"(h1 to h{shown}); for h{shown + 1} to h{n}, hover over the heatmap" in note) if n > shown else not note


def test_the_eigenvalue_and_singular_value_tables_are_their_charts_numbers(built):
    _, spectrum, _ = built
    points = spec(figures.eigenvalues(spectrum))["data"][-1]
    table = figures.eigenvalues_table(spectrum)
    x, y = array(points["x"]), array(points["y"])
    assert len(table["eigenvalue"]) == x.size
    assert all(written(c, v) for c, v in zip(table["real part"], x, strict=True))
    assert all(written(c, v) for c, v in zip(table["imaginary part"], y, strict=True))
    assert all(written(c, v) for c, v in zip(table["|λ|"], np.hypot(x, y), strict=True))
    bars, line = spec(figures.singular_values(spectrum))["data"]
    table = figures.singular_values_table(spectrum)
    s, one_over_gamma = array(bars["y"]), line["y"][0]
    assert table["k"] == [str(k) for k in array(bars["x"])]
    assert all(written(c, v) for c, v in zip(table["σ_k"], s, strict=True))
    assert table[f"against 1/γ = {fmt(one_over_gamma)}"] == [
        "at" if np.isclose(v, one_over_gamma, rtol=1e-9, atol=0) else "above" if v > one_over_gamma else "below"
        for v in s
    ]


def test_the_gradient_table_is_each_lines_numbers_every_kth_day_back(built):
    _, spectrum, readings = built
    lines = spec(figures.gradient(readings, spectrum))["data"]
    table = figures.gradient_table(readings, spectrum)
    days = max(r.days for r in readings)
    ks = sampled(days)
    assert len(ks) <= DAY_ROWS and ks[-1] == days
    assert table[every("days back k", ks)] == [str(k) for k in ks]
    for line in lines:  # each measured line, then the bound: its true height is in customdata (the line is capped)
        drawn = dict(zip(array(line["x"]).tolist(), array(line.get("customdata", line["y"])), strict=True))
        column = table[line["name"]]
        for k, cell in zip(ks, column, strict=True):
            assert cell == fmt_log10(drawn[k]) if k in drawn else cell in {"0", "NaN", ""}
        assert any(k in drawn for k in ks)


def test_the_hidden_state_tables_are_the_heatmaps_and_the_lines_numbers(built):
    _, _, readings = built
    for r in readings:
        tiles = spec(figures.hidden_heatmap(r))["data"][0]
        z = array(tiles["z"])  # a row a unit, a column a day
        table = figures.hidden_heatmap_table(r)
        assert table["unit"] == [str(i + 1) for i in range(z.shape[0])]
        days = [int(name.removeprefix("day\u00a0")) for name in list(table)[1:]]
        assert days[0] == 1 and days[-1] == r.days and len(days) <= figures.DAY_COLUMNS
        for d in days:
            assert all(written(c, v) for c, v in zip(table[f"day\u00a0{d}"], z[:, d - 1], strict=True))
        lines = spec(figures.hidden_lines(r))["data"]
        table = figures.hidden_lines_table(r)
        days = [int(d) for d in next(iter(table.values()))]
        assert len(days) <= DAY_ROWS and days[-1] == r.days and list(table)[1:] == [line["name"] for line in lines]
        for line in lines:
            y = array(line["y"])
            assert all(written(c, y[d - 1]) for c, d in zip(table[line["name"]], days, strict=True))


@pytest.mark.parametrize("T", [9, 1000])
def test_the_why_cells_table_is_each_lines_numbers(T):
    readings = [why.read(cell, DEFAULTS, T) for cell in why.CELLS]
    lines = spec(why_figures.cells(readings))["data"]
    table = why_figures.cells_numbers(readings)
    days = [int(d) for d in next(iter(table.values()))]
    assert days[0] == 1 and days[-1] == T and len(days) <= why_figures.ROWS
    assert list(table)[1:] == [line["name"] for line in lines]
    for line in lines:
        drawn = dict(zip(array(line["x"]).tolist(), array(line["y"]), strict=True))
        assert all(written(c, drawn[d]) for c, d in zip(table[line["name"]], days, strict=True))


def _charts_and_tables(node, out):
    """'chart' and 'table' for every chart and every expander of its numbers under `node`, in page order."""
    if getattr(node, "type", None) == "plotly_chart":
        out.append("chart")
    elif type(node).__name__ == "Expander" and node.label == "The numbers in this chart":
        out.append("table")
    for child in getattr(node, "children", {}).values():
        _charts_and_tables(child, out)
    return out


@pytest.mark.parametrize(("page", "query"), [("pages/layer.py", {"units": "32", "recipe": "radius"}),
                                             ("pages/why.py", {})])  # fmt: skip
def test_every_chart_on_the_layer_and_why_pages_has_its_table_under_it(page, query):
    at = open_app(page, **query)
    assert not at.exception
    order = _charts_and_tables(at.main, [])
    assert order == ["chart", "table"] * (len(order) // 2) and len(order) >= 4
    if page == "pages/layer.py":
        params, spectrum, readings = layer.build({**DEFAULTS, "units": 32, "recipe": "radius"})
        shown = [markdown(t) for t in (figures.weights_table(params), figures.gradient_table(readings, spectrum))]
        drawn = [md.value for md in at.markdown]
        assert all(md in drawn for md in shown)
        assert any(figures.weights_note(params) in c.value for c in at.caption)
    else:
        assert tables(at)[1] == {
            name: tuple(cells) for name, cells in why_figures.cells_numbers([why.read(cell, DEFAULTS, 9) for cell in
                                                                           why.CELLS]).items()
        }  # fmt: skip
