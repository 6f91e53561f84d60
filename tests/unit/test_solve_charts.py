"""The solve pages' SVG charts and the solve parameters form."""

from __future__ import annotations

import pytest

from matchmaker.errors import DomainError
from matchmaker.solve_worker import SolveParams, parse_params
from matchmaker.web.solve_charts import heat_colour, histogram, progress_chart


def test_progress_chart_draws_objective_and_bound_as_step_lines() -> None:
    chart = progress_chart(
        [
            {"t": 0.0, "objective": 10, "bound": 20},
            {"t": 2.0, "objective": 15, "bound": 20},
            {"t": 4.0, "objective": 20, "bound": 20},
        ],
        width=248,
        height=136,
    )
    assert chart is not None
    # plot area: x 48..236 (188 px for 4 s), y 10..110 (100 px for 0..20)
    assert chart.objective == "48.0,60.0 142.0,60.0 142.0,35.0 236.0,35.0 236.0,10.0 236.0,10.0"
    assert chart.bound.startswith("48.0,10.0 142.0,10.0")
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10", "15", "20"]
    assert [t.label for t in chart.x_ticks] == ["0s", "1s", "2s", "3s", "4s"]


def test_progress_chart_is_empty_without_objective() -> None:
    assert progress_chart([]) is None
    assert progress_chart([{"t": 1.0, "objective": None, "bound": None}]) is None


def test_histogram_fills_empty_bins() -> None:
    chart = histogram([(0, 2), (3, 4)], width=200, height=100)
    assert [(b.label, b.value) for b in chart.bars] == [("0", 2), ("1", 0), ("2", 0), ("3", 4)]
    assert chart.bars[3].h == 58.0
    assert chart.bars[0].h == 29.0


def test_heat_colour_runs_from_pale_to_brand_green() -> None:
    assert heat_colour(0) == "#f4f7f6"
    assert heat_colour(1) == "#0b6e4f"
    assert heat_colour(2) == "#0b6e4f"


def test_parse_params_reads_form_values() -> None:
    params = parse_params(
        {"time_limit": "45", "fairness": "2", "require_all": "on", "keep_published": "on"}
    )
    assert params == SolveParams(
        time_limit=45,
        require_all=True,
        fairness=2,
        keep_published=True,
        workers=params.workers,
        seed=0,
    )
    assert parse_params({"time_limit": "10"}).keep_published is False
    assert parse_params({"time_limit": "10", "fairness": ""}).fairness is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"time_limit": "0"}, "time_limit"),
        ({"time_limit": "abc"}, "time_limit"),
        ({"time_limit": "5000"}, "time_limit"),
        ({"time_limit": "10", "fairness": "-1"}, "fairness"),
        ({"time_limit": "10", "fairness": "x"}, "fairness"),
        ({"time_limit": "inf"}, "time_limit"),
        ({"time_limit": "nan"}, "time_limit"),
        ({"time_limit": "10", "workers": "abc"}, "workers"),
        ({"time_limit": "10", "seed": "1.5"}, "seed"),
    ],
)
def test_parse_params_refuses_bad_values(data: dict[str, str], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_params(data)
    assert caught.value.field == field
