"""The race (simulator/race.py) and its page: the same seed replays the same race; the story is its numbers."""

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import race, tasks
from simulator.explain import fmt
from simulator.race_figures import errors
from simulator.race_figures import reach as reach_figure
from tests.apptest import open_app


def test_a_lap_replays_from_the_seed_and_leaves_its_input_alone():
    before = race.start(20, seed=4)
    one, two = race.lap(before, 20, 4), race.lap(before, 20, 4)
    assert [r.tested for r in one] == [r.tested for r in two]
    assert all(not r.steps for r in before)
    assert all(r.steps == (race.LAP,) for r in one)
    assert race.lap(race.start(20, seed=5), 20, 5)[0].tested != one[0].tested


def test_every_cell_sees_the_same_batches():
    rngs = [r.rng for r in race.start(20, seed=1)]
    draws = [tasks.adding(20, 4, rng)[1] for rng in rngs]
    assert all((d == draws[0]).all() for d in draws)


def runner(cell, tested, step=race.LAP):
    r = race.start(10, 0)[race.CELLS.index(cell)]
    steps = tuple(step * (i + 1) for i in range(len(tested)))
    return race.Runner(r.cell, r.params, r.optimizer, r.rng, steps, tuple(tested))


def test_the_story_says_what_the_numbers_do():
    reached = runner("lstm", [0.15, 0.05, 0.008, 0.004])
    assert reached.reached == 3 * race.LAP and reached.done
    stuck = runner("rnn", [0.17] * (race.STEPS // race.LAP - 1) + [0.15])
    part = runner("gru", [0.15] * (race.STEPS // race.LAP - 1) + [0.04])
    running = runner("gru", [0.15, 0.12])
    assert "fell below 0.01 at step 150" in race.story([reached])
    assert "never beat guessing 1 (0.167): its best test error in 1,500 steps was 0.150" in race.story([stuck])
    assert "learned part of it: its best test error in 1,500 steps was 0.040" in race.story([part])
    assert "is at 0.120 after 100 steps" in race.story([running]) and not running.done
    broken = runner("rnn", [0.15, float("nan")])
    assert broken.done and "overflowed by step 100" in race.story([broken])


def test_the_chart_draws_each_cell_and_both_levels():
    runners = race.lap(race.start(10, 0), 10, 0)
    spec = errors(runners).to_dict()
    go.Figure(spec)  # plotly's full validation
    assert [t["name"] for t in spec["data"]] == ["RNN", "LSTM", "GRU"]
    assert [s["y0"] for s in spec["layout"]["shapes"]] == [pytest.approx(1 / 6), race.GOAL]


def test_the_page_runs_the_race_to_its_end(monkeypatch):
    monkeypatch.setattr(race, "STEPS", 2 * race.LAP)
    at = open_app("pages/race.py", length="10", seed="3")
    assert not at.exception and not at.error
    story = next(m.value for m in at.markdown if "test error" in m.value and m.value.startswith("The RNN"))
    runners = race.lap(race.lap(race.start(10, 3), 10, 3), 10, 3)
    assert story == race.story(runners)
    assert any(m.value.startswith(race.reach_story(runners, 10, 3)) for m in at.markdown)
    assert at.slider(key="length").value == 10 and at.number_input(key="seed").value == 3
    assert np.isfinite([e for r in runners for e in r.tested]).all()


def test_reach_is_the_share_of_the_error_at_each_day():
    runners = race.lap(race.start(12, 2), 12, 2)
    xs, target = race.test_set(12, 2)
    for r in runners:
        model = race.MODELS[r.cell]
        g = model.backward(r.params, model.forward(r.params, xs[:, :1]), target[:1])
        state = g.dh[:, 0] if r.cell != "lstm" else np.concatenate((g.dh[:, 0], g.dc[:, 0]), axis=1)
        one = np.linalg.norm(state, axis=1)
        np.testing.assert_allclose(race.reach(r, 12, 2, count=1), one / one[-1], rtol=1e-12)
    assert race.reach(runners[0], 12, 2)[-1] == 1.0
    story = race.reach_story(runners, 12, 2)
    first = race.reach(runners[0], 12, 2)[0]
    assert f"the RNN's by {fmt(first, 2)}" in story


def test_the_reach_chart_validates():
    runners = race.start(10, 0)
    spec = reach_figure(runners, 10, 0).to_dict()
    go.Figure(spec)
    assert len(spec["data"]) == 3


def test_the_gate_is_the_most_open_units_mean():
    runners = race.start(12, 1)
    lstm_runner, gru_runner = runners[1], runners[2]
    xs = race.test_set(12, 1)[0][:, :100]
    f = race.MODELS["lstm"].forward(lstm_runner.params, xs).f
    assert race.gate(lstm_runner, 12, 1) == pytest.approx(f.mean(axis=(0, 1)).max(), rel=1e-12)
    assert 0 < race.gate(gru_runner, 12, 1) < 1 and race.gate(runners[0], 12, 1) is None
    daily = race.reach(lstm_runner, 12, 1)[0] ** (1 / 11)
    assert f"about ×{daily:.2f} a day; its most open forget gate averages" in race.reach_story(runners, 12, 1)


def test_the_log_axes_tick_only_decades_written_as_the_app_writes_numbers():
    runners = race.lap(race.start(12, 2), 12, 2)
    for spec in (errors(runners).to_dict(), reach_figure(runners, 12, 2).to_dict()):
        axis = spec["layout"]["yaxis"]
        assert axis["type"] == "log" and axis["tickvals"]
        assert all(np.log10(v) == round(np.log10(v)) for v in axis["tickvals"])  # no 2 or 5 between decades
        assert axis["ticktext"] == [fmt(v) for v in axis["tickvals"]]
        lo, hi = axis["range"]
        assert lo < np.log10(min(axis["tickvals"])) and np.log10(max(axis["tickvals"])) < hi
    assert errors(runners).to_dict()["layout"]["yaxis"]["ticktext"] == ["1", "0.1", "0.01", "1e−3"]
    reach = reach_figure(runners, 12, 2).to_dict()
    drawn = np.concatenate([np.asarray(race.reach(r, 12, 2)) for r in runners])
    lo, hi = reach["layout"]["yaxis"]["range"]
    assert 10**lo <= drawn.min() and drawn.max() <= 10**hi  # every line inside the axis


def test_the_levels_are_named_in_the_legend_not_written_over_the_lines():
    spec = errors(race.lap(race.start(10, 0), 10, 0)).to_dict()
    assert "annotations" not in spec["layout"] or not spec["layout"]["annotations"]
    names = [(s["name"], s["showlegend"]) for s in spec["layout"]["shapes"]]
    assert names == [("guessing 1 every time: 1/6", True), ("remembers: below 0.01", True)]


def test_the_reach_story_writes_its_numbers_as_the_app_does():
    runners = race.lap(race.start(12, 2), 12, 2)
    story = race.reach_story(runners, 12, 2)
    for r in runners:
        assert f"the {race.NAMES[r.cell]}'s by {fmt(race.reach(r, 12, 2)[0], 2)} (" in story
    assert "e-" not in story
