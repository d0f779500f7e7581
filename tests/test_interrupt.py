"""Ctrl-C stops ``caseweight allocate`` cleanly in every stage (solver/interrupt.py).

HiGHS (through MathOpt) swallowed the KeyboardInterrupt and the command went
on to write its proposal; CP-SAT caught SIGINT itself, stopped one model, and
left the default action behind, so the next Ctrl-C killed the process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import optimiser_input
from caseweight.problem import Role
from caseweight.solver.role_mip import RoleMip
from caseweight.solver.warm_start import first_fit

UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_ctrl_c_in_the_bound_stage_aborts_without_writing_anything(tmp_path: Path) -> None:
    """After the CP-SAT neighbourhoods, HiGHS computes the bound: Ctrl-C there
    killed the process (exit -2) with the old handling."""
    out = tmp_path / "proposal"
    command = [sys.executable, "-m", "caseweight", "allocate", "--out", str(out)]
    command += ["--no-db", "--no-report", "--time-limit", "10"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=UNBUFFERED
    ) as process:
        assert process.stdout is not None
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.strip().startswith("LP neighbourhoods"):
                process.send_signal(signal.SIGINT)
                break
        else:
            pytest.fail("no 'LP neighbourhoods' line: " + "".join(seen))
        try:
            rest, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("Ctrl-C did not stop the command")
    assert process.returncode == 1, (process.returncode, rest)
    assert rest.strip().endswith("Aborted!"), rest
    assert not out.exists()


def test_ctrl_c_stops_highs_at_once() -> None:
    """HiGHS's branch and bound on the demo's advisers runs far past a minute;
    Ctrl-C half a second in raises KeyboardInterrupt at once (HiGHS ran its
    whole limit first, then returned as if nothing had come)."""
    cases, workers = demo_paths()
    config = Config()
    instance = optimiser_input(read_problem(cases, workers, DEMO_AS_OF, config), config)
    role = Role.PERSONAL_ADVISER
    mip = RoleMip(instance, role, instance.role_costs[role].eligible)
    start = first_fit(instance)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        timer.start()
        started = time.perf_counter()
        mip.bound(start, 120, 0, branch=True)
    timer.join()
    # the limit was two minutes: only the interrupt can have ended it this soon
    assert time.perf_counter() - started < 60


CP_SAT_THEN_CTRL_C = textwrap.dedent(
    """
    import os, signal, time
    import numpy as np
    from caseweight.config import Config
    from caseweight.demo import DEMO_AS_OF, demo_paths
    from caseweight.io.inputs import read_problem
    from caseweight.pipeline import optimiser_input
    from caseweight.problem import Role
    from caseweight.solver.lns import movers, solve_part
    from caseweight.solver.model import AllocationModel, Neighbourhood
    from caseweight.solver.warm_start import first_fit

    cases, workers = demo_paths()
    config = Config()
    instance = optimiser_input(read_problem(cases, workers, DEMO_AS_OF, config), config)
    start = first_fit(instance)
    free = tuple(movers(instance, Role.SOCIAL_WORKER, start)[:20])
    model = AllocationModel(instance, Role.SOCIAL_WORKER, Neighbourhood((), start, free))
    solve_part(model, 5.0, 0, start.copy(), 0.5)
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        print("Ctrl-C after CP-SAT was lost")
    except KeyboardInterrupt:
        print("KeyboardInterrupt after CP-SAT")
    """
)


def test_ctrl_c_after_a_cp_sat_model_still_raises_keyboard_interrupt() -> None:
    """CP-SAT's own SIGINT handler, on leaving, put back the default action,
    which kills the process (exit -2) instead of raising KeyboardInterrupt."""
    result = subprocess.run(
        [sys.executable, "-c", CP_SAT_THEN_CTRL_C],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=UNBUFFERED,
    )
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.strip() == "KeyboardInterrupt after CP-SAT"
