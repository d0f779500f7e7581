"""Render a :class:`ReportTable` as an escaped, sortable HTML table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from caseweight.report.charts import esc
from caseweight.report.content import Column, ReportTable

NUMERIC_KINDS = frozenset({"int", "num", "pct"})


def format_value(value: Any, kind: str) -> str:
    """The text a manager sees for one cell (not yet escaped)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "pct":
        return f"{float(value) * 100:.0f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "num" or isinstance(value, float):
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    return str(value)


def render_cell(value: Any, column: Column) -> str:
    shown = format_value(value, column.kind)
    if column.kind in NUMERIC_KINDS:
        sort_key = "" if shown == "—" else f' data-v="{esc(value)}"'
        return f'<td class="num"{sort_key}>{esc(shown)}</td>'
    return f"<td>{esc(shown)}</td>"


def _header(column: Column) -> str:
    if column.kind in NUMERIC_KINDS:
        return f'<th scope="col" class="num" data-type="num">{esc(column.title)}</th>'
    return f'<th scope="col" data-type="text">{esc(column.title)}</th>'


def render_table(
    report_table: ReportTable,
    table_id: str,
    *,
    rows: Sequence[tuple[Any, ...]] | None = None,
    extra_headers: Sequence[str] = (),
    extra_cells: Sequence[Sequence[str]] | None = None,
    skip: Sequence[str] = (),
    empty: str = "None.",
) -> str:
    """An HTML table; ``extra_cells`` are trusted HTML fragments appended to each row.

    ``skip`` names columns to leave out of the page (they stay in the workbook).
    """
    rows = report_table.rows if rows is None else rows
    keep = [i for i, c in enumerate(report_table.columns) if c.key not in skip]
    columns = [report_table.columns[i] for i in keep]
    heads = "".join(_header(c) for c in columns) + "".join(
        f'<th scope="col" class="extra">{esc(h)}</th>' for h in extra_headers
    )
    if not rows:
        span = len(columns) + len(extra_headers)
        body = f'<tr><td class="empty" colspan="{span}">{esc(empty)}</td></tr>'
    else:
        body = "".join(
            "<tr>"
            + "".join(render_cell(row[i], report_table.columns[i]) for i in keep)
            + (
                "".join(f'<td class="extra">{c}</td>' for c in extra_cells[n])
                if extra_cells
                else ""
            )
            + "</tr>"
            for n, row in enumerate(rows)
        )
    sortable = ' class="sortable"' if rows else ""
    return (
        f'<div class="table-wrap"><table id="{esc(table_id)}"{sortable}>'
        f"<thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def filter_controls(
    table_id: str, label: str, selects: Sequence[tuple[int, str, Sequence[str]]] = ()
) -> str:
    """A free-text filter plus one drop-down per (column index, label, options)."""
    parts = [
        f'<label>{esc(label)} <input type="search" data-filter-for="{esc(table_id)}" '
        f'placeholder="young person, worker, reason…" aria-label="{esc(label)}"></label>'
    ]
    for column, name, options in selects:
        opts = '<option value="">All</option>' + "".join(
            f'<option value="{esc(o.lower())}">{esc(o)}</option>' for o in options
        )
        parts.append(
            f'<label>{esc(name)} <select data-filter-for="{esc(table_id)}" '
            f'data-column="{column}">{opts}</select></label>'
        )
    parts.append(f'<span class="count" data-count-for="{esc(table_id)}"></span>')
    return f'<div class="filters">{"".join(parts)}</div>'
