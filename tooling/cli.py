"""``python -m tooling bench-load | eval-matching | page-cpu | solver-bench``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tooling import UsageError, loadbench, matching_eval, page_cpu, solver_bench


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m tooling", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    for name, module, summary in (
        ("bench-load", loadbench, "load-test the web app on the demo event (loopback)"),
        ("eval-matching", matching_eval, "measure the recommender against baselines"),
        ("page-cpu", page_cpu, "CPU ms per participant page, in-process, on the demo event"),
        ("solver-bench", solver_bench, "the solver on B2BSP and synthetic events"),
    ):
        command = sub.add_parser(name, help=summary)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"python -m tooling {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
