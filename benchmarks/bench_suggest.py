"""How fast ``caseweight suggest`` ranks workers for one young person on the demo authority.

Usage::

    python benchmarks/bench_suggest.py               # demo authority, no database
    python benchmarks/bench_suggest.py --with-store  # also with a store holding one approval

Prints the seconds spent reading the inputs, ranking (median and worst over
young people with and without a worker, and a new young person from a file),
the whole command in-process and as a new process, then one ranking with the
reasons behind it. Aim: well under a second, on the phone to a referrer.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.suggest import suggest
from caseweight.suggest_cli import format_suggestion, suggest_command

SAMPLE = 40


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def bench_library(config: Config) -> str:
    cases, workers = demo_paths()
    problem, read_seconds = timed(read_problem, cases, workers, DEMO_AS_OF, config)
    print(f"demo authority: {len(problem.people)} young people, {len(problem.workers)} workers")
    print(f"read cases + workers:            {read_seconds:.3f} s")
    with_worker = [p.person_id for p in problem.people if p.current_social_worker][:SAMPLE]
    without = [
        p.person_id
        for p in problem.people
        if not p.current_social_worker and not p.current_personal_adviser
    ][:SAMPLE]
    for label, ids in (("with a current worker", with_worker), ("with no worker", without)):
        times = [timed(suggest, problem, config, pid)[1] for pid in ids]
        print(
            f"suggest(), {label:<22} median {statistics.median(times):.3f} s, "
            f"worst {max(times):.3f} s over {len(times)} young people"
        )
    return without[0] if without else with_worker[0]


def bench_command(person_id: str, new_person: Path, db: list[str]) -> None:
    runner = CliRunner()
    for label, args in (
        ("--person", ["--person", person_id]),
        ("--new-person", ["--new-person", str(new_person)]),
    ):
        result, seconds = timed(runner.invoke, suggest_command, [*args, *db])
        assert result.exit_code == 0, result.output
        print(f"command in-process {label:<14} {seconds:.3f} s (reads the files each time)")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "caseweight", "suggest", "--person", person_id, *db],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    print(f"command as a new process         {seconds:.3f} s (incl. Python start and imports)")


def write_new_person(folder: Path) -> Path:
    """A referral: a 14-year-old in the east team, in care, needing a social worker."""
    path = folder / "new_person.csv"
    path.write_text(
        "person_id,date_of_birth,status,team,legal_status,placement_type,sibling_group\n"
        "YP999999,2012-06-01,in_care,east,interim_care_order,foster,\n",
        encoding="utf-8",
    )
    return path


def make_store(folder: Path) -> list[str]:
    """Allocate the demo (5 s), approve it into a SQLite store; the --db arguments."""
    from caseweight.cli import main

    db = f"sqlite:///{folder / 'bench.sqlite'}"
    out = folder / "proposal"
    runner = CliRunner()
    args = ["allocate", "--out", str(out), "--no-report", "--quiet", "--time-limit", "5"]
    result = runner.invoke(main, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["approve", str(out), "--by", "Bench", "--db", db])
    assert result.exit_code == 0, result.output
    print(f"store: demo proposal approved into {db}")
    return ["--db", db]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-store", action="store_true", help="also time with a database")
    args = parser.parse_args()
    config = Config()
    person_id = bench_library(config)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        new_person = write_new_person(folder)
        bench_command(person_id, new_person, ["--no-db"])
        if args.with_store:
            bench_command(person_id, new_person, make_store(folder))
        cases, workers = demo_paths()
        problem = read_problem(cases, workers, DEMO_AS_OF, config)
        example = next(p.person_id for p in problem.people if p.sibling_group)
        print("\nRanking explained, for a young person with siblings:\n")
        print(format_suggestion(suggest(problem, config, example, top=5)))


if __name__ == "__main__":
    main()
