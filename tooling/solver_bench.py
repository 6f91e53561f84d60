"""``python -m tooling solver-bench`` (or ``python -m solver bench``): the B2BSP benchmark
and synthetic events, against greedy.

B2BSP instances are compared with the published optimum (``-`` = proved infeasible) of
``../shared/benchmarks/b2bsp/README.md`` and, for the 20 originals, with the best
published time (MaxSAT). Synthetic events report scheduled weight against its proved
bound, breaks, participants left at zero although one of their meetings had a common
free slot (``zero``), the worst-off participant's share next to its LP bound at the
scheduled weight, time and peak memory, next to greedy first-fit on the same instance.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from solver.api import solve
from solver.dzn import read_dzn
from solver.greedy import first_fit
from solver.problem import build
from solver.solution import Status
from solver.validate import recompute
from tooling import synthetic

VARIANTS = {  # README column -> file suffix
    "original": "original",
    "forb0003": "forb0003",
    "forb0007": "forb0007",
    "fixed020": "fixed020-Forb",
    "fixed040": "fixed040-Forb",
    "prec15": "prec15",
    "prec25": "prec25",
}
D_VARIANTS = {"original d=0": 0, "original d=1": 1, "original d=3": 3}


def shared_dir() -> Path:
    """``../shared`` next to the repository."""
    return Path(__file__).resolve().parents[1].parent / "shared"


def b2bsp_dir() -> Path:
    return shared_dir() / "benchmarks" / "b2bsp"


@dataclass(frozen=True)
class Case:
    instance: str
    variant: str  # a README column
    path: Path
    d: int
    published: str  # "0", "5", "-" (infeasible) or "?"
    maxsat: float | None


def published_table(readme: Path) -> tuple[dict[tuple[str, str], str], dict[str, float]]:
    """Optimum per (instance, column) and MaxSAT seconds per original, from the README."""
    optimum: dict[tuple[str, str], str] = {}
    maxsat: dict[str, float] = {}
    header: list[str] = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = [] if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "instance":
            header = cells
            continue
        if not header or set(cells[0]) <= {"-"}:
            continue
        if header[1] == "original":
            for col, value in zip(header[1:], cells[1:], strict=False):
                optimum[(cells[0], col)] = value
        elif header[1].startswith("MaxSAT"):
            m = re.match(r"[\d.]+", cells[1])
            if m and not cells[0].startswith("**"):
                maxsat[cells[0]] = float(m.group())
    return optimum, maxsat


def cases(which: str, d_variants: bool, name_filter: str | None) -> list[Case]:
    base = b2bsp_dir()
    optimum, maxsat = published_table(base / "README.md")
    names = sorted({inst for inst, _ in optimum})
    out: list[Case] = []
    for inst in names:
        columns = ["original"] if which == "originals" else list(VARIANTS)
        for col in columns:
            path = base / "instances" / f"{inst}.{VARIANTS[col]}.dzn"
            out.append(
                Case(
                    inst,
                    col,
                    path,
                    2,
                    optimum[(inst, col)],
                    maxsat.get(inst) if col == "original" else None,
                )
            )
        if d_variants:
            for col, d in D_VARIANTS.items():
                path = base / "instances" / f"{inst}.original.dzn"
                out.append(Case(inst, col, path, d, optimum[(inst, col)], None))
    if name_filter:
        out = [
            c
            for c in out
            if name_filter in f"{c.instance}.{VARIANTS.get(c.variant, c.variant)}"
            or name_filter in f"{c.instance} {c.variant}"
        ]
    return out


def run_case(case: Case, time_limit: float, workers: int) -> dict[str, object]:
    instance = read_dzn(case.path, case.d)
    t = time.monotonic()
    sol = solve(instance, time_limit=time_limit, workers=workers)
    seconds = time.monotonic() - t
    breaks = sol.objective.breaks if sol.objective is not None else None
    if case.published == "-":
        match = "yes" if sol.status == Status.INFEASIBLE else "no"
    elif case.published == "?":
        match = "n/a"
    else:
        match = "yes" if sol.status == Status.OPTIMAL and breaks == int(case.published) else "no"
    return {"status": sol.status.value, "breaks": breaks, "seconds": seconds, "match": match}


def bench_b2bsp(args: argparse.Namespace) -> None:
    selected = cases(args.b2bsp, args.fairness_variants, args.filter)
    if not selected:
        return
    print(
        f"{'instance':<16} {'variant':<13} {'d':>1} {'status':<10} {'breaks':>6} "
        f"{'published':>9} {'match':>5} {'seconds':>8} {'maxsat':>7} {'ratio':>6}"
    )
    total = 0.0
    total_orig = 0.0
    maxsat_orig = 0.0
    matched = 0
    for case in selected:
        r = run_case(case, args.time_limit, args.workers)
        secs = float(r["seconds"])  # type: ignore[arg-type]
        total += secs
        matched += r["match"] in ("yes", "n/a")
        ratio = ""
        if case.maxsat is not None:
            total_orig += secs
            maxsat_orig += case.maxsat
            ratio = f"{secs / case.maxsat:.2f}"
        print(
            f"{case.instance:<16} {case.variant:<13} {case.d:>1} {r['status']:<10} "
            f"{'' if r['breaks'] is None else r['breaks']:>6} {case.published:>9} "
            f"{r['match']:>5} {secs:>8.2f} "
            f"{'' if case.maxsat is None else f'{case.maxsat:.1f}':>7} {ratio:>6}",
            flush=True,
        )
    print(f"B2BSP: {matched}/{len(selected)} match the published result; total {total:.1f}s")
    if maxsat_orig:
        print(
            f"originals (d=2): {total_orig:.1f}s vs MaxSAT {maxsat_orig:.1f}s "
            f"(ratio {total_orig / maxsat_orig:.2f})"
        )


def _synthetic_worker(kind: str, time_limit: float, workers: int, queue: mp.Queue) -> None:
    instance = {"demo": synthetic.demo, "teams": synthetic.teams, "10x": synthetic.large}[kind]()
    problem = build(instance)
    t = time.monotonic()
    greedy_slots = first_fit(problem)
    g_seconds = time.monotonic() - t
    g = recompute(problem, {m: s for m, s in enumerate(greedy_slots) if s is not None})
    t = time.monotonic()
    sol = solve(instance, time_limit=time_limit, workers=workers)
    seconds = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "name": instance.name,
            "meetings": len(instance.meetings),
            "status": sol.status.value,
            "objective": sol.objective,
            "bound": sol.bound.scheduled_weight,
            "share_bound": sol.bound.min_share,
            "seconds": seconds,
            "peak_mib": peak,
            "greedy": g,
            "greedy_seconds": g_seconds,
        }
    )


def bench_synthetic(args: argparse.Namespace) -> None:
    kinds = {
        "demo": ["demo"],
        "teams": ["teams"],
        "10x": ["10x"],
        "all": ["demo", "teams", "10x"],
        "none": [],
    }[args.synthetic]
    if not kinds:
        return
    print(
        f"{'event':<18} {'who':<7} {'status':<9} {'scheduled':>9} {'weight':>7} {'bound':>7} "
        f"{'gap%':>5} {'breaks':>6} {'zero':>5} {'min_share':>9} {'bound':>6} "
        f"{'seconds':>8} {'peak MiB':>8}"
    )
    ctx = mp.get_context("spawn")
    limit = args.synthetic_time_limit
    for kind in kinds:
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_synthetic_worker, args=(kind, limit, args.workers, queue))
        proc.start()
        r = queue.get()
        proc.join()
        o, g = r["objective"], r["greedy"]
        bound, sb = r["bound"], r["share_bound"]
        for who, obj, status, secs, peak, share_bound in (
            ("solver", o, r["status"], r["seconds"], f"{r['peak_mib']:.0f}", sb),
            ("greedy", g, "-", r["greedy_seconds"], "", None),
        ):
            gap = 100 * (bound - obj.scheduled_weight) / bound if bound else 0.0
            print(
                f"{r['name']:<18} {who:<7} {status:<9} {obj.scheduled:>9} "
                f"{obj.scheduled_weight:>7} {bound if bound is not None else '':>7} {gap:>5.2f} "
                f"{obj.breaks:>6} {obj.zero_meeting:>5} {obj.min_share:>9.3f} "
                f"{'' if share_bound is None else f'{share_bound:.3f}':>6} {secs:>8.2f} {peak:>8}",
                flush=True,
            )


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--b2bsp", choices=["originals", "all", "none"], default="originals")
    ap.add_argument(
        "--fairness-variants", action="store_true", help="also the originals with d = 0, 1, 3"
    )
    ap.add_argument("--filter", default=None, help="only B2BSP instances whose name contains this")
    ap.add_argument("--time-limit", type=float, default=60.0, help="per B2BSP instance")
    ap.add_argument(
        "--synthetic",
        choices=["demo", "teams", "10x", "all", "none"],
        default="demo",
        help="teams: the demo event whose hosts send two people, the second on day 1 only",
    )
    ap.add_argument("--synthetic-time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)


def main(argv: list[str], prog: str = "python -m tooling solver-bench") -> int:
    """The benchmark as its own command (``python -m solver bench`` forwards here)."""
    ap = argparse.ArgumentParser(prog=prog, description=__doc__)
    add_arguments(ap)
    return run(ap.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    if args.b2bsp != "none":
        if not b2bsp_dir().is_dir():
            print(f"benchmark directory not found: {b2bsp_dir()}")
            return 1
        bench_b2bsp(args)
    bench_synthetic(args)
    return 0
