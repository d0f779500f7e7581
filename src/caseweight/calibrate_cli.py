"""``caseweight calibrate``: a thin click command over :mod:`caseweight.calibrate`."""

from __future__ import annotations

from pathlib import Path

import click

from caseweight.cli import config_option, user_errors
from caseweight.config import Config
from caseweight.text_table import text_table


@click.command("calibrate")
@config_option
@user_errors
def calibrate_command(config_path: Path | None) -> None:
    """Measure this machine against the solver's planning figures.

    Runs each kind of the solver's work once on the bundled demo authority
    (about 15 s) and suggests ``optimiser.machine_speed`` for the config: on
    a fast machine the same time limit then buys more work. Writes nothing.

    \b
    Example:
        caseweight calibrate
        caseweight calibrate --config config/weights.yaml
    """
    from caseweight.calibrate import MARGIN, demo_instance, measure, suggested_speed

    config = Config.from_file(config_path)
    instance = demo_instance(config)
    click.echo(
        f"Measuring the solver's work on the demo authority "
        f"({len(instance.requirements):,} allocations, {instance.n_workers} workers)...",
        err=True,
    )
    measures = measure(
        instance, lambda m: click.echo(f"  {m.work}: {m.wall_seconds:.2f} s", err=True)
    )
    rows = [["work", "planned s", "took s", "speed"]]
    rows += [
        [m.work, f"{m.planned_seconds:.2f}", f"{m.wall_seconds:.2f}", f"{m.speed:.2f}"]
        for m in measures
    ]
    click.echo("\n".join(text_table(rows)))
    suggestion = suggested_speed(measures)
    now = config.optimiser.machine_speed
    click.echo(
        f"\nSuggested, in the optimiser section of the config "
        f"(the slowest work's speed x {MARGIN:g}):\n  machine_speed: {suggestion:g}\n"
        f"The config now says {now:g}. A proposal depends on this setting: "
        f"the same input, config and seed still give the same proposal."
    )
