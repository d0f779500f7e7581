"""The Lagrangian bound in a second process, beside the search, where no thread has the core.

A region's roles are too large for HiGHS's branch and bound beside the
search (:mod:`.early_bound`), so its second core idled while the proposal
was made and the Lagrangian (:mod:`.bound`) then took the last quarter of
the limit on the first. A thread would not do: the ascent's numpy work
holds Python's lock often enough to slow the search 2.3 times (the region's
neighbourhoods, 10.6 s -> 24.6 s). A forked process has a lock of its own
and shares the instance as it is; it slows the main core's work by about 8%
(memory, not the lock).

It starts after the climb, with the climb's objectives to aim at and each
role's flow (:mod:`.transport`), and is told of the neighbourhoods' better
objectives: each one re-prices the flow's case ceilings
(:func:`.case_prices.case_priced`, which stops early when it aims far) and
restarts the subgradient ascent. When the proposal is made the caller
sends the LP's duals the neighbourhoods found (:mod:`.rins`) and gets each
role's best bound once the ascent has nothing more to give, or at the
deadline. The child answers at once with what it has, then again when it
is done: a step that overruns the deadline (a flow re-priced for a new aim
can take seconds: the region at 60 s was once left its flows' 12.45%
instead of 8.95%) leaves the caller the first answer. The proposal never
depends on it: a process that fails or does not answer in time leaves each
role its flow's value.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable, Collection
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from caseweight.problem import Role
from caseweight.solver.bound import ascent_from, priced, uniform_price
from caseweight.solver.instance import Instance
from caseweight.solver.lagrangian import Ascent, Prices, RoleLagrangian
from caseweight.solver.transport import SECONDS_PER_ARC, FlowSolution, RoleFlow, flow_arcs

#: Seconds of ascent a round, shared between the roles by their candidate
#: pairs; between rounds the child reads the caller's news. Once every role's
#: ascent has converged, or a round raised none by more than STALLED of it, the
#: child waits for news.
ROUND_SECONDS = 10.0
STALLED = 1e-6
#: The child's time ends this long before the caller's deadline, for its answer to arrive.
ANSWER_GRACE = 0.5
#: Forking is safe where the platform's libraries expect it: Linux. Windows
#: cannot fork and macOS's system libraries may crash a forked child, so there
#: the bound stays on the main core, as before.
AVAILABLE = sys.platform.startswith("linux")


class BoundProcess:
    """Each of ``roles``' Lagrangian bound, ascending in a process of its own until asked."""

    def __init__(
        self,
        instance: Instance,
        roles: Collection[Role],
        flows: dict[Role, FlowSolution],
        upper: dict[Role, float],
        deadline: float,
    ) -> None:
        # the quicker first, as on the main core (:func:`.bound.lower_bound`)
        pairs = {role: instance.candidate_count(role) for role in roles}
        self.roles = sorted(roles, key=lambda role: (pairs[role], role.value))
        mine = {role: flows[role] for role in self.roles if role in flows}
        self.fallback = {role: math.floor(flow.value) for role, flow in mine.items()}
        # forked, not spawned: the child shares the instance as it is (nothing
        # to copy through a pipe) and needs no importable main module
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        seconds = deadline - time.perf_counter() - ANSWER_GRACE
        work = (instance, self.roles, mine, dict(upper), pairs, seconds)
        sys.stdout.flush()  # nothing buffered for the child to write twice
        sys.stderr.flush()
        self._process = context.Process(target=_serve, args=(child, self._conn, work), daemon=True)
        self._process.start()
        child.close()

    def aim(self, upper: dict[Role, float]) -> None:
        """A better allocation's objectives, for the ascent's steps to aim at."""
        self._send(("upper", {role: upper[role] for role in self.roles}))

    def finish(self, prices: dict[Role, Prices], deadline: float) -> dict[Role, int]:
        """Each role's best bound, with ``prices`` tried too: the child's last
        answer by ``deadline`` (it answers at once with what it has, then again
        when it is done), else the flow's value (or nothing)."""
        found: dict[Role, int] = {}
        try:
            self._send(("finish", {role: prices[role] for role in self.roles if role in prices}))
            while self._conn.poll(max(0.0, deadline - time.perf_counter())):
                done, found = self._conn.recv()
                if done:
                    break
        except (EOFError, OSError):
            pass  # the child has gone: what it answered before stands
        finally:
            self._conn.close()
            self._process.terminate()
            self._process.join(timeout=1.0)
        return {role: max(found.get(role, 0), self.fallback.get(role, 0)) for role in self.roles}

    def _send(self, message: tuple[str, dict[Role, Any]]) -> None:
        # the child may have gone: finish() then gives the flows' values
        with contextlib.suppress(OSError):
            self._conn.send(message)


Work = tuple[
    Instance, list[Role], dict[Role, FlowSolution], dict[Role, float], dict[Role, int], float
]


def _serve(conn: Connection, callers: Connection, work: Work) -> None:
    """:func:`_answer`, ending quietly where the caller has gone (its end of the
    pipe closes: Ctrl-C, or a crash): nothing is left running after it."""
    # the caller's end, copied by the fork: held here, it would keep the pipe open
    callers.close()
    # Ctrl-C reaches the whole process group: the caller stops, and so does
    # this child once it reads the closed pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(EOFError, OSError):
        _answer(conn, work)
    conn.close()


def _answer(conn: Connection, work: Work) -> None:
    """In the child: each role's flow (solved here where the caller had no time
    for it) with its case ceilings priced in, towards the best objective
    known; then rounds of ascent from the best multipliers, each role's share
    of a round in proportion to its candidate pairs. Asked to finish, it goes
    on from the caller's prices where they are better, and answers once every
    ascent has converged or its time is up."""
    instance, roles, flows, upper, pairs, seconds = work
    deadline = time.perf_counter() + seconds
    duals = {role: RoleLagrangian(instance, instance.role_costs[role]) for role in roles}
    total = sum(pairs.values())
    ascents: dict[Role, Ascent] = {}
    best = {role: dual.evaluate(np.zeros(dual.size))[0] for role, dual in duals.items()}
    aimed: dict[Role, float] = {}
    finishing = idle = False
    while time.perf_counter() < deadline:
        if conn.poll():
            kind, news = conn.recv()
            if kind == "upper":
                upper.update(news)
            else:
                finishing = True
                restarted = _restart(duals, ascents, best, news, upper)
                # what it has now, in case a step overruns the caller's deadline
                conn.send((False, _bounds(best, flows)))
                if not restarted and idle:
                    break  # nothing new to start from, and nothing more to gain
        gained = False
        for k, (role, dual) in enumerate(duals.items()):
            if aimed.get(role) != upper[role] and not conn.poll():
                # this role's share of the time left, as on the main core
                left = sum(pairs[r] for r in roles[k:])
                ends = time.perf_counter() + (deadline - time.perf_counter()) * pairs[role] / left
                aimed[role] = upper[role]
                ascents[role] = _aimed(
                    dual, flows, role, upper[role], ascents.get(role), ends, conn.poll
                )
            if role in ascents:
                share = ROUND_SECONDS * pairs[role] / max(1, total)
                value = ascents[role].run(
                    min(share, deadline - time.perf_counter()), stop=conn.poll
                )[0]
                gained |= value > best[role] + STALLED * abs(value)
                best[role] = max(best[role], value)
        settled = all(aimed.get(role) == upper[role] for role in duals)
        idle = settled and (not gained or all(ascent.converged for ascent in ascents.values()))
        if idle and finishing:
            break
        if idle:
            conn.poll(max(0.0, deadline - time.perf_counter()))  # wait for news
    conn.send((True, _bounds(best, flows)))


def _bounds(best: dict[Role, float], flows: dict[Role, FlowSolution]) -> dict[Role, int]:
    """Each role's best bound, its flow's value where that is higher."""
    values = {
        role: max(value, flows[role].value) if role in flows else value
        for role, value in best.items()
    }
    return {role: math.floor(value) for role, value in values.items() if math.isfinite(value)}


def _restart(
    duals: dict[Role, RoleLagrangian],
    ascents: dict[Role, Ascent],
    best: dict[Role, float],
    prices: dict[Role, Prices],
    upper: dict[Role, float],
) -> bool:
    """A fresh ascent from each role's ``prices`` (an LP's duals) where they are
    a better start than the best so far; whether any was."""
    restarted = False
    for role, found in prices.items():
        dual = duals[role]
        ascent = Ascent(dual, priced(dual, found), upper[role])
        if ascent.best_value > best[role]:
            best[role], ascents[role], restarted = ascent.best_value, ascent, True
    return restarted


def _aimed(
    dual: RoleLagrangian,
    flows: dict[Role, FlowSolution],
    role: Role,
    upper: float,
    ascent: Ascent | None,
    ends: float,
    stop: Callable[[], bool],
) -> Ascent:
    """An ascent towards ``upper`` from the best multipliers known: the flow's
    case prices again, aimed at it (a far aim stops them early, at
    MIN_STEP_GAIN of a larger gap), the last ascent's best, one uniform
    price, zero. ``flows`` gains the role's flow where it fits before ``ends``."""
    if role not in flows and flow_arcs(dual) * SECONDS_PER_ARC < ends - time.perf_counter():
        found = RoleFlow(dual).solve()
        if found is not None:
            flows[role] = found
    starts = [ascent.best_mu] if ascent is not None else [np.zeros(dual.size), uniform_price(dual)]
    fresh, flow = ascent_from(dual, starts, flows.get(role), upper, ends, stop)
    if flow is not None:
        flows[role] = flow
    return fresh
