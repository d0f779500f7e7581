"""Time the SSDA903 import of a 5,000-child synthetic return (target: a few seconds).

Run: ``python benchmarks/bench_ssda903.py [--people 5000] [--repeat 3] [--xlsx]``

The cases come from the demo authority generator (``caseweight.demo``) when it
is installed, else from ``caseweight.ssda903.samples.random_cases``; the
SSDA903 tables are generated from them (seeded) and written as CSV files. The
import is timed end to end: reading every table, building the cases table and
writing it.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from caseweight.ssda903 import import_ssda903, write_cases
from caseweight.ssda903.samples import cases_for, write_return
from caseweight.ssda903.synthetic import generate_ssda903

AS_OF = date(2026, 12, 1)


def time_import(source: Path, folder: Path, repeat: int) -> tuple[float, dict[str, int], int]:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = import_ssda903(source, AS_OF, folder / "allocations.csv", folder / "postcodes.csv")
        write_cases(result.cases, folder / "cases.csv")
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result.summary, len(result.cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also time the .xlsx workbook")
    args = parser.parse_args()
    start = time.perf_counter()
    cases = cases_for(args.people, AS_OF, seed=1)
    generated = generate_ssda903(cases, AS_OF, seed=1)
    print(
        f"generated {len(generated.expected)} young people in {time.perf_counter() - start:.1f} s"
    )
    print(f"python {platform.python_version()} on {platform.machine()}")
    with tempfile.TemporaryDirectory() as temp:
        folder = write_return(generated, Path(temp) / "csv")
        rows = {name: len(generated.tables[name]) for name in generated.tables}
        print("rows: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
        seconds, summary, people = time_import(folder, folder, args.repeat)
        median = f"median of {args.repeat}"
        print(f"import ssda903 (CSV): {people} young people in {seconds:.2f} s ({median})")
        print(f"summary: {summary}")
        if args.xlsx:
            book = write_return(generated, Path(temp) / "xlsx", workbook=True)
            seconds, _summary, people = time_import(book / "ssda903.xlsx", book, 1)
            print(f"import ssda903 (xlsx): {people} young people in {seconds:.2f} s")


if __name__ == "__main__":
    main()
