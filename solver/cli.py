"""``python -m solver solve | check | bench``.

``bench`` is a thin entry: the benchmark lives in ``tooling/`` of the source checkout
(``python -m tooling solver-bench``), not in this package nor in the wheel."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from solver.api import solve
from solver.io import InputError, load_instance, load_solution
from solver.problem import build
from solver.validate import recompute, slots_by_meeting, validate


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m solver", description=__doc__)
    ap.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr")
    sub = ap.add_subparsers(dest="command", required=True)

    s = sub.add_parser("solve", help="schedule an instance (.json or B2BSP .dzn)")
    s.add_argument("instance", type=Path)
    s.add_argument("--time-limit", type=float, default=60.0)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--deterministic", action="store_true")
    s.add_argument("--fairness", type=int, default=None, help="max break-count spread d")
    s.add_argument("--output", type=Path, default=None)

    c = sub.add_parser("check", help="validate a solution against its instance")
    c.add_argument("instance", type=Path)
    c.add_argument("solution", type=Path)
    c.add_argument("--fairness", type=int, default=None)

    # every option after ``bench`` (--help too) goes to the benchmark's own parser
    sub.add_parser("bench", help="B2BSP and synthetic benchmarks (source checkout)", add_help=False)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args, rest = ap.parse_known_args(argv)
    if rest and args.command != "bench":
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(message)s",
    )
    try:
        if args.command == "solve":
            return _solve(args)
        if args.command == "check":
            return _check(args)
        return _bench(rest)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _bench(argv: list[str]) -> int:
    """Run ``tooling.solver_bench``, loaded at run time: the solver never imports it."""
    try:
        bench = importlib.import_module("tooling.solver_bench")
    except ModuleNotFoundError as exc:
        if exc.name not in ("tooling", "tooling.solver_bench"):
            raise
        print(
            "error: the benchmark is not installed; it lives in tooling/ of the source "
            "checkout (not in the wheel): run `python -m tooling solver-bench` there",
            file=sys.stderr,
        )
        return 2
    return int(bench.main(argv, prog="python -m solver bench"))


def _solve(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance, args.fairness)
    solution = solve(
        instance,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        deterministic=args.deterministic,
    )
    text = solution.model_dump_json(indent=2)
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(f"{instance.name}: {solution.summary()}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance, args.fairness)
    solution = load_solution(args.solution)
    problem = build(instance)
    errors = validate(instance, solution, problem)
    objective = recompute(problem, slots_by_meeting(problem, solution))
    for e in errors:
        print(f"violation: {e}")
    print(
        f"{'INVALID' if errors else 'valid'}: scheduled={objective.scheduled} "
        f"weight={objective.scheduled_weight} breaks={objective.breaks} "
        f"moved={objective.moved} min_share={objective.min_share:.3f} "
        f"zero_meeting={objective.zero_meeting}"
    )
    return 1 if errors else 0
