"""``python -m solver solve | check | bench``."""

from __future__ import annotations

import argparse
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

    b = sub.add_parser("bench", help="B2BSP and synthetic benchmarks")
    from solver.bench import add_arguments

    add_arguments(b)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
        from solver.bench import run

        return run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


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
        f"moved={objective.moved} min_share={objective.min_share:.3f}"
    )
    return 1 if errors else 0
