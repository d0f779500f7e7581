"""Run one caseweight command in this process and report its peak memory (for the benchmarks).

Usage: python benchmarks/measure.py RESULT.json caseweight-args...
"""

from __future__ import annotations

import json
import resource
import sys
import time

from caseweight.cli import main

if __name__ == "__main__":
    result_file, args = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    code = 0
    try:
        main(args, standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump(
            {
                "exit": code,
                "peak_mib": peak_kib / 1024,
                "inner_seconds": time.perf_counter() - started,
            },
            out,
        )
