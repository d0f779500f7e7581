"""Run one caseweight command in this process and report its peak memory (for the benchmarks).

Usage: python benchmarks/measure.py RESULT.json caseweight-args...
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from caseweight.cli import main


def peak_resident_kib() -> int:
    """This process's peak resident memory since it started this program (KiB).

    Linux's ``ru_maxrss`` survives ``exec``: a child forked from a benchmark
    holding 450 MiB reported 460 MiB for a command that peaks at 250 MiB on
    its own. ``VmHWM`` belongs to the program's own address space, so it is
    read where the kernel has it.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def children_peak_kib() -> int:
    """The largest peak of the processes this one forked and waited for (KiB):
    the bound's process beside a region's search (``solver/bound_process.py``).
    Added to the command's own peak, as the two run at the same time (an
    overcount: the child shares the instance's pages with its parent)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


if __name__ == "__main__":
    result_file, args = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    code = 0
    try:
        main(args, standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    peak_kib = peak_resident_kib() + children_peak_kib()
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump(
            {
                "exit": code,
                "peak_mib": peak_kib / 1024,
                "inner_seconds": time.perf_counter() - started,
            },
            out,
        )
