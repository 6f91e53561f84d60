"""The web load benchmark's code path, with tiny numbers: `matchmaker serve` started
as its own process group, both scenarios (quiet, and a solve alongside), no failed
request, no double booking, and the server gone afterwards. Latencies are printed by
the benchmark, never asserted here (the machine is shared)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker.models import RunStatus, SolveRun
from tooling.loadbench import HEALTH, BenchConfig, format_report, run_bench


def test_bench_load_tiny_run_serves_both_scenarios_without_errors_or_double_bookings(
    engine: Engine,
) -> None:
    config = BenchConfig(
        scale=0.05,
        users=4,
        think=0.2,
        ramp=0.5,
        seconds=2,
        workers=2,
        participants=3,
        organisers=1,
        contenders=3,
        solve_seconds=1,
        cpu_repeats=2,
    )

    result = run_bench(config, engine=engine, log=lambda *_: None)

    assert [s.name for s in result.scenarios] == ["quiet", "solve"]
    for scenario in result.scenarios:
        assert scenario.total_requests > 0
        assert HEALTH in scenario.routes
        assert scenario.rss_peak_mb > 0
    assert result.total_errors == 0
    assert result.server_workers == 2
    assert HEALTH in result.cpu_ms
    assert [(r.succeeded, r.errors) for r in result.races] == [(1, 0), (1, 0)]
    assert result.double_bookings == 0
    report = format_report(result)
    assert "scenario solve: solve run" in report
    assert "double bookings: 0" in report
    with Session(engine) as session:  # the solve alongside was stopped, not left running
        statuses = session.exec(select(SolveRun.status).order_by(col(SolveRun.id))).all()
    assert len(statuses) == 2
    assert statuses[-1] in (RunStatus.stopped, RunStatus.finished)
    with pytest.raises(ProcessLookupError):  # the supervisor and its workers are gone
        os.killpg(result.server_pid, 0)
