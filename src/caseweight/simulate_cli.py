"""``caseweight simulate``: a click command over :mod:`caseweight.simulate`, and its tables."""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from caseweight.cli import user_errors
from caseweight.cohort import CohortSettings
from caseweight.forecast_cli import cohort_options, data_options, load_base
from caseweight.text_table import text_table

if TYPE_CHECKING:
    from caseweight.simulate import Policy, PolicyResult, World


@click.command("simulate")
@data_options
@cohort_options
@click.option("--months", type=click.IntRange(2, 36), default=12, show_default=True)
@click.option(
    "--turnover",
    type=click.FloatRange(0, 1),
    default=0.159,
    show_default=True,
    help="Share of permanent workers leaving in a year (DfE 2023); each post is "
    "covered by an agency worker a month later.",
)
@click.option(
    "--absences-per-year",
    type=click.FloatRange(0, 1),
    default=0.04,
    show_default=True,
    help="Share of permanent workers starting a long-term absence (100%, 3-9 months) "
    "in a year: an assumption, no national figure.",
)
@click.option(
    "--notice-months",
    type=click.IntRange(0, 6),
    default=1,
    show_default=True,
    help="Months before a simulated leaver (a permanent worker, or an agency cover "
    "ending) goes that the policies know of it, as their leaving_on: an assumption.",
)
@click.option(
    "--absence-notice-months",
    type=click.IntRange(0, 6),
    default=3,
    show_default=True,
    help="Months before an announced long-term absence (maternity: half of them, an "
    "assumption) starts that the policies know of it, as a dated 100% reduction; "
    "the others (sickness) are known the day they start.",
)
@click.option(
    "--shed-above",
    type=click.FloatRange(min=0.5),
    default=1.10,
    show_default=True,
    help="'By hand, managing caseloads' moves cases off workers above this utilisation "
    "(110%: the probation tool's 'excessive').",
)
@click.option(
    "--other-change-penalty",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Change penalty of the second caseweight policy.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Solver seconds per month [default: the config's time_limit_seconds].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Policies simulated at once [default: the available cores divided by the "
    "solver's search_workers].",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV to write: one row per policy and month.",
)
@user_errors
def simulate_command(
    scenario: Path | None,
    cases: Path | None,
    workers: Path | None,
    hr: Path | None,
    as_of: date | None,
    config_path: Path | None,
    seed: int,
    entries_per_month: float | None,
    exits_per_year: float,
    stay_after_21: float,
    months: int,
    turnover: float,
    absences_per_year: float,
    notice_months: int,
    absence_notice_months: int,
    shed_above: float,
    other_change_penalty: int,
    time_limit: float | None,
    jobs: int | None,
    out_file: Path | None,
) -> None:
    """Simulate a year of monthly allocations under five policies, side by side.

    Each month the cohort ages, enters and leaves care; permanent workers leave
    (their post covered by an agency worker until a permanent starter takes it)
    or start a long-term absence; and each policy's proposal is approved.
    Compares "by hand" (keep current workers; each young person needing one
    goes to the least-loaded worker, even one about to leave), the same giving
    nobody new to a worker about to leave or go on long-term absence (the
    config's rule, which caseweight applies), "by hand, managing caseloads"
    (with that rule; then cases move off workers above --shed-above, last in
    first out), caseweight, and caseweight with another change penalty:
    changes of worker,
    shares of young people with 2 and with 3+ workers in the year, 16-17s
    without a PA, utilisation. See docs/simulate.md.

    \b
    Example:
        caseweight simulate --scenario scenarios/baseline.yaml --time-limit 5
    """
    from caseweight.simulate import (
        BY_HAND,
        BY_HAND_MANAGING,
        BY_HAND_NOTICE,
        Policy,
        Staffing,
        build_world,
    )

    problem, changes, config = load_base(scenario, cases, workers, hr, as_of, config_path)
    settings = CohortSettings(entries_per_month, 0.40, exits_per_year, stay_after_21)
    staffing = Staffing(
        absences_per_year=absences_per_year,
        notice_months=notice_months,
        absence_notice_months=absence_notice_months,
    )
    world = build_world(problem, changes, config, months, settings, turnover, seed, staffing)
    managing = f"{BY_HAND_MANAGING} (above {shed_above:.0%})"
    policies = [
        Policy(BY_HAND),
        Policy(BY_HAND_NOTICE, notice_rule=True),
        Policy(managing, shed_above=shed_above, notice_rule=True),
        Policy("caseweight", config.optimiser.change_penalty),
        Policy(f"caseweight, change penalty {other_change_penalty}", other_change_penalty),
    ]
    results = run_policies(world, policies, time_limit, jobs)
    click.echo(render_simulation(world, results), nl=False)
    if out_file is not None:
        write_months(out_file, world, results)
        click.echo(f"Wrote {len(world.days) * len(results)} rows to {out_file}")


def run_policies(
    world: World, policies: list[Policy], time_limit: float | None, jobs: int | None
) -> list[PolicyResult]:
    """Run each policy, in order: those by hand (no solver) here, caseweight's in parallel
    if the cores hold their solves side by side."""
    from caseweight.scenario.run import default_processes
    from caseweight.simulate import run_policy

    solved = [p for p in policies if p.change_penalty is not None]
    count = min(len(solved), jobs or default_processes(world.config))
    if count <= 1:
        return [run_policy(world, p, time_limit) for p in policies]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        runs = {p.name: pool.submit(run_policy, world, p, time_limit) for p in solved}
        by_hand = {p.name: run_policy(world, p) for p in policies if p.change_penalty is None}
        return [runs[p.name].result() if p.name in runs else by_hand[p.name] for p in policies]


def write_months(path: Path, world: World, results: list[PolicyResult]) -> None:
    """One CSV row per policy and month, written whole or not at all."""
    from caseweight.scenario.cli import write_atomic

    buffer = io.StringIO()
    rows = [
        {"policy": r.name, "month": m, "date": world.days[m].isoformat(), **figures}
        for r in results
        for m, figures in enumerate(r.months)
    ]
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())


#: End-of-year rows: (label, key in year figures or mean of a monthly key, format).
YEAR_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Changes of worker in the year", "changes", "int"),
    ("  chosen by the policy (worker still there)", "changes_chosen", "int"),
    ("  repeats (a young person's 2nd+ of a role)", "repeat_changes", "int"),
    ("SW: changes of social worker (chosen)", "SW_changes", "pair:SW_changes_chosen"),
    ("SW: share with 2 social workers", "SW_share_2", "pct"),
    ("SW: share with 3+ (national 24%)", "SW_share_3plus", "pct1"),
    ("SW: with 3+ after a chosen move (people)", "SW_3plus_chosen", "int"),
    ("PA: changes of personal adviser (chosen)", "PA_changes", "pair:PA_changes_chosen"),
    ("PA: share with 2 personal advisers", "PA_share_2", "pct"),
    ("PA: share with 3+", "PA_share_3plus", "pct1"),
    ("PA: with 3+ after a chosen move (people)", "PA_3plus_chosen", "int"),
    ("In care 16-17 without a PA (monthly mean)", "mean:in_care_16_17_without_pa", "num"),
    ("Unallocated (monthly mean)", "mean:unallocated", "num"),
    ("SW max utilisation (monthly mean)", "mean:SW_max_utilisation", "pct"),
    ("SW mean utilisation (monthly mean)", "mean:SW_mean_utilisation", "pct"),
    ("SW over target (monthly mean)", "mean:SW_over_target", "num"),
    ("SW over 110% (monthly mean)", "mean:SW_over_110", "num"),
    ("SW over the hard limit (monthly mean)", "mean:SW_over_hard_limit", "num"),
    ("PA max utilisation (monthly mean)", "mean:PA_max_utilisation", "pct"),
    ("PA mean utilisation (monthly mean)", "mean:PA_mean_utilisation", "pct"),
    ("PA over target (monthly mean)", "mean:PA_over_target", "num"),
    ("PA over 110% (monthly mean)", "mean:PA_over_110", "num"),
    ("PA over the hard limit (monthly mean)", "mean:PA_over_hard_limit", "num"),
    ("Months the solver was cut short by the time limit", "sum:cut_short", "int"),
)


def year_value(result: PolicyResult, key: str) -> float:
    """A year figure, or the mean or sum over the months of a monthly one (``mean:key``)."""
    how, _, monthly = key.partition(":")
    if not monthly:
        return result.year[key]
    values = [m[monthly] for m in result.months]
    return float(np.sum(values) if how == "sum" else np.mean(values)) if values else 0.0


def _cell(value: float, kind: str) -> str:
    formats = {"pct": f"{value:.0%}", "pct1": f"{value:.1%}", "int": f"{value:,.0f}"}
    return formats.get(kind, f"{value:,.1f}")


def render_simulation(world: World, results: Sequence[PolicyResult]) -> str:
    """Month by month, then the year, one column per policy."""
    rows = [["month", "date", *(r.name for r in results)]]
    for m, day in enumerate(world.days):
        rows.append(
            [str(m), day.isoformat()]
            + [
                f"{r.months[m]['changes']:.0f} changes, SW {r.months[m]['SW_max_utilisation']:.0%}"
                f" PA {r.months[m]['PA_max_utilisation']:.0%}"
                for r in results
            ]
        )
    lines = ["Month by month: changes of worker, max utilisation per role"]
    lines += text_table(rows)
    lines.append("")
    lines.append(f"Over {len(world.days)} months")
    year = [["figure", *(r.name for r in results)]]
    year += [[label, *(_year_cell(r, key, kind) for r in results)]
             for label, key, kind in YEAR_ROWS]  # fmt: skip
    lines += text_table(year)
    lines += ["", world_summary(world)]
    return "\n".join(lines) + "\n"


def _year_cell(result: PolicyResult, key: str, kind: str) -> str:
    how, _, other = kind.partition(":")
    if how == "pair":  # "total (part)"
        return f"{year_value(result, key):,.0f} ({year_value(result, other):,.0f})"
    return _cell(year_value(result, key), kind)


def world_summary(world: World) -> str:
    """What happened to the staff in the simulated year, the same for every policy."""
    from caseweight.simulate import ABSENCE, MATERNITY, SIMULATED

    simulated = [c for c in world.hr if c.file == SIMULATED and c.effective_from <= world.days[-1]]
    count = Counter(c.reason if c.kind.value != "leaver" else "leaver" for c in simulated)
    agency = sum(1 for w in world.workers if w.worker_id in world.agency)
    return (
        f"Staff in the simulated year (every policy): {agency} of {len(world.workers)} workers "
        f"agency cover at the start;\n{count['leaver']} leavers (permanent or end of cover), "
        f"{count['agency cover (simulated)']} agency covers and "
        f"{count['permanent starter (simulated)']} permanent starters starting, "
        f"{count[MATERNITY] + count[ABSENCE]} long-term absences ({count[MATERNITY]} "
        f"announced).\nKnown ahead through the HR data: leavers {world.notice_months} "
        f"month(s), announced absences {world.absence_notice_months}. See docs/simulate.md."
    )
