"""Wall time of scenarios, the forecast and the simulation on the demo authority.

Usage::

    python benchmarks/bench_scenarios.py                    # 6 demo scenarios, 5 s each
    python benchmarks/bench_scenarios.py --time-limit 2 --dask --simulate

Prints: preparing the scenarios; running them one after another and in
parallel on the available cores (and, with ``--dask``, on a local Dask
cluster of worker processes); the 12-month forecast; with ``--simulate``, a
12-month simulation of the three policies.
"""

from __future__ import annotations

import argparse
import functools
import glob
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from caseweight.forecast import run_forecast
from caseweight.scenario import load_scenario
from caseweight.scenario.build import prepare_base
from caseweight.scenario.run import Outcome, available_cores, prepare_all, run_jobs

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def _timed(label: str, func: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = func()
    print(f"{label:<55} {time.perf_counter() - start:7.1f} s")
    return value


def _quality(outcomes: list[Outcome]) -> None:
    """Solver quality of a run: sharing cores can cut a time-limited search short."""
    complete = sum(int(o.figures["search_complete"]) for o in outcomes)
    objective = sum(o.summary["objective"] for o in outcomes)
    print(f"  searches complete {complete}/{len(outcomes)}, summed objective {objective:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--dask", action="store_true", help="also run on a local Dask cluster")
    parser.add_argument("--simulate", action="store_true", help="also time a 12-month simulation")
    args = parser.parse_args()
    files = sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml")))
    cores = available_cores()
    jobs = _timed(f"prepare {len(files)} scenarios", lambda: prepare_all(files, args.time_limit))
    people = len(jobs[0].problem.people)
    print(f"  {people} young people, {len(jobs[0].problem.workers)} workers, {cores} cores, "
          f"time limit {args.time_limit:g} s per scenario")  # fmt: skip
    _quality(_timed("run one after another (--jobs 1)", lambda: run_jobs(jobs, processes=1)))
    _quality(_timed(f"run in parallel ({min(cores, len(jobs))} processes)",
                    lambda: run_jobs(jobs, processes=cores)))  # fmt: skip
    if args.dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=None) as c:
            _quality(_timed(f"run on a local Dask cluster ({cores} workers)",
                            lambda: run_jobs(jobs, scheduler=c.scheduler_address)))  # fmt: skip
    base = prepare_base(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    _timed("12-month forecast", lambda: run_forecast(base.problem, base.hr, base.config, seed=1))
    if args.simulate:
        from caseweight.simulate import BY_HAND, Policy, build_world, run_policy

        world = build_world(base.problem, base.hr, base.config, seed=1)
        for policy in (Policy(BY_HAND), Policy("caseweight", base.config.optimiser.change_penalty)):
            run = functools.partial(run_policy, world, policy, args.time_limit)
            result = _timed(f"12-month simulation, {policy.name}", run)
            print(f"  {result.year}")


if __name__ == "__main__":
    main()
