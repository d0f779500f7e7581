"""The side-by-side table of scenarios: terminal, CSV and Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from caseweight.io.safe_csv import guard_row
from caseweight.scenario.figures import ROWS
from caseweight.scenario.run import Outcome
from caseweight.text_table import text_table

FORMATS = ("terminal", "csv", "markdown")


def _cell(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{value:.0%}"
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "int":
        return f"{int(value):,}"
    return f"{value:,.1f}"


def comparison_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """Header row then one row per figure; the first column names the figure."""
    rows = [["figure", *(o.name for o in outcomes)]]
    for key, label, kind in ROWS:
        rows.append([label, *(_cell(o.figures[key], kind) for o in outcomes)])
    return rows


def render(outcomes: Sequence[Outcome], fmt: str) -> str:
    """The comparison in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        return _csv(outcomes)
    rows = comparison_rows(outcomes)
    if fmt == "markdown":
        lines = ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" + "---:|" * len(outcomes))
        return "\n".join(lines) + "\n"
    return "\n".join(text_table(rows)) + "\n"


def _csv(outcomes: Sequence[Outcome]) -> str:
    """Machine-readable: raw numbers (fractions for utilisation), one row per figure."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(guard_row(["figure", *(o.name for o in outcomes)]))
    for key, _label, _kind in ROWS:
        writer.writerow([key, *(o.figures[key] for o in outcomes)])
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
