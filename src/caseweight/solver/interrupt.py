"""Ctrl-C while a solver runs stops the command, as it does anywhere else.

Two of the solvers got in the way of Python's own handling of SIGINT:

* CP-SAT catches it itself unless told not to (``catch_sigint_signal``, set
  off in :mod:`.lns`): it ended only the model it was solving, and on leaving
  reset SIGINT to the default action, so the next Ctrl-C killed the process
  (exit 130, no "Aborted!").
* HiGHS, run through MathOpt's C++ core, cannot be stopped: MathOpt's HiGHS
  ignores its interrupter, and Python's handler runs only once the main thread
  is back in Python, after HiGHS has used its whole limit (two minutes for a
  bound asked for two minutes); the KeyboardInterrupt it then raised was lost
  in the conversion of HiGHS's result, and the command wrote its proposal.

So :func:`stoppable` runs a HiGHS solve asked for by the main thread in a
thread of its own (HiGHS holds no GIL while it works) and waits for it in
Python, where Ctrl-C reaches it at once. The abandoned solve goes on in its
thread (a daemon) until its limit; a process leaving while it runs must leave
with ``os._exit``, as the command does (:func:`caseweight.cli.run`), since
HiGHS's threads, torn down under it at exit, abort the process ("terminate
called without an active exception", exit 134).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: how often the main thread wakes while it waits (a lock's wait is
#: interrupted by signals on POSIX anyway; this bounds it elsewhere)
WAKE_SECONDS = 0.1


def stoppable(work: Callable[[], T]) -> T:
    """``work()``, from a thread of its own where the caller is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return work()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller, whatever it is
            failure.append(exc)

    worker = threading.Thread(target=run, name="highs", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(WAKE_SECONDS)
    if failure:
        raise failure[0]
    return outcome[0]
