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
from pathlib import Path

import pytest

UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}
#: each script starts as a terminal's command does, with Python's own handler
#: (a background job of a shell script would have SIGINT ignored), and is run
#: in a process of its own: a test must not signal pytest's process, where a
#: CP-SAT solve by another test may have left the default action (death)
TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"


def test_ctrl_c_in_the_bound_stage_aborts_without_writing_anything(tmp_path: Path) -> None:
    """After the CP-SAT neighbourhoods, HiGHS computes the bound: Ctrl-C there
    killed the process (exit -2) with the old handling."""
    out = tmp_path / "proposal"
    command = [sys.executable, "-c", TERMINAL + "from caseweight.cli import run; run()"]
    command += ["allocate", "--out", str(out), "--no-db", "--no-report", "--time-limit", "10"]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=UNBUFFERED,
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


DEMO = """
from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import optimiser_input
from caseweight.problem import Role
from caseweight.solver.warm_start import first_fit

cases, workers = demo_paths()
config = Config()
instance = optimiser_input(read_problem(cases, workers, DEMO_AS_OF, config), config)
start = first_fit(instance)
"""

HIGHS_THEN_CTRL_C = (
    TERMINAL
    + DEMO
    + textwrap.dedent(
        """
    import os, signal, threading, time
    from caseweight.solver.role_mip import RoleMip

    role = Role.PERSONAL_ADVISER
    mip = RoleMip(instance, role, instance.role_costs[role].eligible)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.perf_counter()
    try:
        mip.bound(start, 120, 0, branch=True)
        print(f"HiGHS ran {time.perf_counter() - started:.0f} s and Ctrl-C was lost")
    except KeyboardInterrupt:
        elapsed = time.perf_counter() - started
        print("KeyboardInterrupt", "at once" if elapsed < 60 else f"after {elapsed:.0f} s")
    """
    )
)


def run_script(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=UNBUFFERED,
    )
    assert result.returncode == 0, (result.returncode, result.stderr)
    return result.stdout.strip()


def test_ctrl_c_stops_highs_at_once() -> None:
    """HiGHS's branch and bound on the demo's advisers, asked for two minutes,
    runs the two minutes: Ctrl-C half a second in raises KeyboardInterrupt at
    once (HiGHS ran its whole limit first, then the interrupt was lost)."""
    assert run_script(HIGHS_THEN_CTRL_C) == "KeyboardInterrupt at once"


CP_SAT_THEN_CTRL_C = (
    TERMINAL
    + DEMO
    + textwrap.dedent(
        """
    import os, signal, time
    from caseweight.solver.lns import movers, solve_part
    from caseweight.solver.model import AllocationModel, Neighbourhood

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
)


def test_ctrl_c_after_a_cp_sat_model_still_raises_keyboard_interrupt() -> None:
    """CP-SAT's own SIGINT handler, on leaving, put back the default action,
    which kills the process (exit -2) instead of raising KeyboardInterrupt."""
    assert run_script(CP_SAT_THEN_CTRL_C) == "KeyboardInterrupt after CP-SAT"
