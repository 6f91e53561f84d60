"""The web load benchmark's code path, with tiny numbers: `matchmaker serve` started
as its own process group, every scenario (quiet, a solve alongside, the all-agendas PDF
alongside, and overload: a ramp, twice its rate, a quiet probe), no failed request, no
double booking, and the server gone afterwards. Latencies are printed by the benchmark,
never asserted here (the machine is shared)."""

from __future__ import annotations

import argparse
import os

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from matchmaker.models import RunStatus, SolveRun
from tooling import UsageError
from tooling.loadbench import (
    HEALTH,
    SCENARIOS,
    BenchConfig,
    add_arguments,
    config_from,
    format_report,
    job_form,
    job_poll,
    run_bench,
)


def test_bench_load_tiny_run_serves_every_scenario_without_errors_or_double_bookings(
    engine: Engine,
) -> None:
    config = BenchConfig(
        scale=0.05,
        users=4,
        think=0.2,
        ramp=0.5,
        seconds=2,
        scenarios=SCENARIOS,
        workers=2,
        participants=3,
        organisers=1,
        contenders=3,
        solve_seconds=1,
        cpu_repeats=2,
        ramp_from=4,
        ramp_step_s=0.5,
        ramp_steps=2,
        probe_s=1,
    )

    result = run_bench(config, engine=engine, log=lambda *_: None)

    assert [s.name for s in result.scenarios] == ["quiet", "solve", "pdf", "overload"]
    for scenario in result.scenarios:
        assert scenario.total_requests > 0
        assert scenario.rss_peak_mb > 0
    assert result.total_errors == 0
    assert result.server_workers == 2
    assert HEALTH in result.cpu_ms
    # Measured one by one after the load, each answering (a 4xx there stops the run).
    assert {"GET /board/{board}", "GET /organiser/desk?q="} <= set(result.cpu_ms)
    assert [(r.succeeded, r.errors) for r in result.races] == [(1, 0), (1, 0)]
    assert result.double_bookings == 0
    pdf = result.scenarios[2].pdf
    assert pdf is not None and pdf.outcome == "finished" and pdf.size > 0
    overload = result.scenarios[3].overload
    assert overload is not None
    assert overload.source == "a short ramp" and 1 <= len(overload.steps) <= 2
    assert overload.offered_rate == 2 * overload.sustainable_rate
    assert result.scenarios[3].every.timeouts == 0
    assert overload.probe.sent > 0 and overload.probe.errors == 0
    report = format_report(result)
    assert "scenario solve: solve run" in report
    assert "scenario pdf: the all-agendas PDF alongside" in report
    assert "all-agendas PDF: finished in" in report
    assert "sustainable rate:" in report and "answered within 2 s (served or 503):" in report
    assert "quiet probe after the load" in report
    assert "double bookings: 0" in report
    with Session(engine) as session:  # the solve alongside was stopped, not left running
        statuses = session.exec(select(SolveRun.status).order_by(col(SolveRun.id))).all()
    assert len(statuses) == 2
    assert statuses[-1] in (RunStatus.stopped, RunStatus.finished)
    with pytest.raises(ProcessLookupError):  # the supervisor and its workers are gone
        os.killpg(result.server_pid, 0)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_bench_load_scale10_is_the_scale_10_event_with_400_users_and_the_pdf() -> None:
    config = config_from(_args("--scale10"))

    assert (config.scale, config.users, config.scenarios) == (10.0, 400, ("quiet", "pdf"))
    assert config_from(_args("--scale10", "--users", "50")).users == 50
    assert config_from(_args()).scenarios == ("quiet", "solve")
    assert config_from(_args("--scenario", "all")).scenarios == SCENARIOS


def test_bench_load_unknown_scenario_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match="--scenario: peak: the scenarios are"):
        config_from(_args("--scenario", "quiet,peak"))


# A background job's form and partial, as the print page and the job page show them.
PRINT_PAGE = """
<form class="card print-card" method="post" action="/organiser/jobs">
  <input type="hidden" name="_csrf_token" value="tok&amp;en">
  <input type="hidden" name="kind" value="table_plan">
</form>
<form class="card print-card" method="post" action="/organiser/jobs">
  <input type="hidden" name="_csrf_token" value="tok&amp;en">
  <input type="hidden" name="kind" value="agendas">
  <button type="submit" class="button secondary">Make the PDF</button>
</form>
"""
RUNNING = """<section class="card job" id="job-7" aria-live="polite"
  hx-get="/organiser/jobs/7" hx-trigger="every 1s" hx-swap="outerHTML">
  <progress max="100" value="40">40 %</progress></section>"""
FINISHED = """<section class="card job" id="job-7" aria-live="polite">
  <p><a class="button" href="/organiser/jobs/7/file" target="_blank">Download agendas.pdf</a></p>
  <form method="post" action="/organiser/jobs" class="job-form"></form></section>"""
FAILED = """<section class="card job" id="job-7">
  <p class="error-box" role="alert">The worker stopped.</p></section>"""


def test_bench_load_finds_the_agendas_job_form_and_follows_the_job_page() -> None:
    assert job_form(PRINT_PAGE, "agendas") == (
        "/organiser/jobs",
        {"_csrf_token": "tok&en", "kind": "agendas"},
    )
    assert job_form("<p>No jobs here</p>", "agendas") is None
    assert job_poll(RUNNING) == ("active", "/organiser/jobs/7")
    assert job_poll(FINISHED) == ("finished", "/organiser/jobs/7/file")
    assert job_poll(FAILED) == ("failed", "The worker stopped.")
