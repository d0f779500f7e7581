"""``python -m caseweight.ssda903 import|synthetic`` (works before the main CLI registers them)."""

from __future__ import annotations

import click

from caseweight.ssda903.cli import ssda903_command, synthetic_command


@click.group()
def main() -> None:
    """SSDA903 import and synthetic data."""


main.add_command(ssda903_command, "import")
main.add_command(synthetic_command, "synthetic")

if __name__ == "__main__":
    main()
