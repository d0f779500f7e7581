"""Run scenarios through the optimiser: one at a time, on the local cores, or on a cluster.

Scenarios are read and checked here, in the calling process, so a bad file
stops everything before any solver starts; only the prepared, picklable
:class:`~caseweight.scenario.build.ScenarioJob` goes to a worker process.
Local runs use :class:`concurrent.futures.ProcessPoolExecutor`; with a
scheduler address the same jobs go to an existing Dask distributed cluster
(optional extra ``dask[distributed]``). Either way results come back in the
order the files were given.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseweight.config import Config
from caseweight.errors import CaseweightError
from caseweight.scenario.build import ScenarioJob, prepare
from caseweight.scenario.spec import load_scenario

#: How long to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = "10s"


@dataclass(frozen=True)
class Outcome:
    """What one scenario's run gives the comparison."""

    name: str
    path: str
    figures: dict[str, float]
    summary: dict[str, Any]


def run_job(job: ScenarioJob) -> Outcome:
    """Optimise one prepared scenario (runs in a worker process)."""
    from caseweight.pipeline import propose
    from caseweight.scenario.figures import planner_figures

    # the root-node bound would spend each scenario's time left on a gap
    # planners do not compare: the Lagrangian's is in the summary
    proposal = propose(job.problem, job.config, job.time_limit, root_bound=False)
    figures = planner_figures(proposal)
    figures["search_complete"] = float(proposal.result.repeatable)
    return Outcome(job.name, job.path, figures, proposal.summary())


def prepare_all(paths: Sequence[str | Path], time_limit: float | None) -> list[ScenarioJob]:
    """Load and prepare every scenario; all files are checked before any run."""
    return [prepare(load_scenario(path), time_limit) for path in paths]


def available_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def default_processes(config: Config | None) -> int:
    """Solver processes the available cores hold without sharing a core."""
    threads = max(1, config.optimiser.search_workers) if config is not None else 1
    return max(1, available_cores() // threads)


def run_jobs(
    jobs: Sequence[ScenarioJob], processes: int | None = None, scheduler: str | None = None
) -> list[Outcome]:
    """Run ``jobs`` and return their outcomes in order.

    Parameters
    ----------
    processes:
        Local worker processes; ``None``: as many as the available cores hold
        solves of ``search_workers`` threads each, at most one per job (on two
        cores and two solver threads: one after another, since a time-limited
        solve that has to share its cores stops with a worse proposal).
        1 runs in this process.
    scheduler:
        Address of a Dask distributed scheduler (``tcp://host:8786``); the jobs
        run on its workers instead of locally.
    """
    if scheduler:
        return _run_on_dask(jobs, scheduler)
    count = min(len(jobs), processes or default_processes(jobs[0].config if jobs else None))
    if count <= 1:
        return [run_job(job) for job in jobs]
    # spawn, not fork: the solver's threads do not survive a fork safely.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        return list(pool.map(run_job, jobs))


def _run_on_dask(jobs: Sequence[ScenarioJob], scheduler: str) -> list[Outcome]:
    try:
        from distributed import Client
    except ImportError:
        raise CaseweightError(
            "--scheduler needs Dask distributed: pip install 'dask[distributed]'"
        ) from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise CaseweightError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        # pure=False: two identical scenarios are still two runs, each reported.
        futures = client.map(run_job, list(jobs), pure=False)
        return list(client.gather(futures))
