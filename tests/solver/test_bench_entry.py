"""``python -m solver bench``: a thin entry to ``tooling/solver_bench.py`` (the benchmark
is not part of the solver nor of the wheel; tests/integration/test_packaging.py shows
the message when it is absent)."""

from __future__ import annotations

import pytest

from solver.cli import main

pytestmark = pytest.mark.unit


def test_bench_entry_passes_its_options_to_the_benchmark(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "--b2bsp", "none", "--synthetic", "none"]) == 0
    assert capsys.readouterr().err == ""


def test_bench_entry_help_is_the_benchmarks_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m solver bench")
    assert "--synthetic-time-limit" in out


def test_bench_entry_refuses_an_option_the_benchmark_lacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--b2bsp", "none", "--bogus"])

    assert exit_.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_cli_other_commands_refuse_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", "instance.json", "solution.json", "--bogus"])

    assert exit_.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
