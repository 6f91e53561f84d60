"""The web load benchmark's code path, with tiny numbers: it completes against the real
served app with no failed request and no double booking. Latencies are printed by the
benchmark, never asserted here (the machine is shared)."""

from __future__ import annotations

from sqlalchemy import Engine

from tooling.loadbench import BenchConfig, format_report, run_bench


def test_bench_load_tiny_run_has_no_errors_and_no_double_bookings(engine: Engine) -> None:
    config = BenchConfig(
        scale=0.05,
        concurrency=4,
        requests=20,
        seconds=20,
        participants=3,
        organisers=1,
        contenders=3,
        solve_seconds=1,
    )

    result = run_bench(config, engine=engine, log=lambda *_: None)

    assert result.total_requests == 20
    assert result.total_errors == 0
    assert [(r.succeeded, r.errors) for r in result.races] == [(1, 0), (1, 0)]
    assert result.double_bookings == 0
    assert "double bookings: 0" in format_report(result)
