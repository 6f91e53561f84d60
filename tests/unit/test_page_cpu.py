"""The page-CPU profile's command line and figures (``python -m tooling page-cpu``);
the measure itself loads and solves the demo event, too slow for a test."""

from __future__ import annotations

import argparse

import pytest

from tooling import UsageError, page_cpu
from tooling.cli import build_parser

pytestmark = pytest.mark.unit


def test_route_cpu_median_and_p90() -> None:
    route = page_cpu.RouteCpu("GET /me", [float(n) for n in range(1, 11)], {200})
    assert (route.median, route.p90) == (5.5, 9.0)


def test_report_marks_routes_over_target_but_not_the_reference() -> None:
    report = page_cpu.format_report(
        [
            page_cpu.RouteCpu("GET /health", [9.0], {200}),
            page_cpu.RouteCpu("GET /me", [6.0], {200}),
            page_cpu.RouteCpu("GET /me/notifications", [3.0], {200}),
        ],
        "sqlite",
        1,
    )
    flagged = [line.split()[1] for line in report.splitlines() if "over target" in line]
    assert flagged == ["/me"]


def test_profile_names_one_route() -> None:
    config = page_cpu.PageCpuConfig(profile="agenda.ics")
    routes = page_cpu._routes(config)
    assert page_cpu._profiled(config, routes).label == "GET /me/agenda/agenda.ics"  # type: ignore[union-attr]
    with pytest.raises(UsageError, match="name one route"):
        page_cpu._profiled(page_cpu.PageCpuConfig(profile="/me/agenda"), routes)


def test_command_line_refuses_keep_with_postgres() -> None:
    args = build_parser().parse_args(["page-cpu", "--database", "postgres", "--keep", "x.db"])
    assert isinstance(args, argparse.Namespace)
    with pytest.raises(UsageError, match="--keep"):
        page_cpu.run(args)
