"""The manager's report: one self-contained HTML page and one Excel workbook.

Use :func:`write_report` on a proposal folder written by ``caseweight allocate``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from caseweight.report.build import ReportData, build_report
from caseweight.report.html import render_html
from caseweight.report.load import Proposal, load_proposal
from caseweight.report.workbook import write_workbook

__all__ = ["Proposal", "ReportData", "build_report", "load_proposal", "write_report"]

HTML_NAME, XLSX_NAME = "report.html", "report.xlsx"


def write_report(
    proposal_dir: Path,
    html_path: Path | None = None,
    xlsx_path: Path | None = None,
    *,
    generated_at: str | None = None,
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.xlsx`` for a proposal folder, atomically.

    Parameters
    ----------
    proposal_dir:
        The folder ``caseweight allocate`` wrote.
    html_path, xlsx_path:
        Where to write; by default ``report.html`` and ``report.xlsx`` inside
        ``proposal_dir``.
    generated_at:
        The stamp shown on the report; by default the current UTC time (the
        only place caseweight reads the clock).

    Returns
    -------
    tuple of Path
        The HTML and workbook paths written.

    Raises
    ------
    InputError
        When the proposal folder is missing a file or holds a malformed value;
        nothing is written then.
    """
    proposal_dir = Path(proposal_dir)
    html_path = Path(html_path) if html_path else proposal_dir / HTML_NAME
    xlsx_path = Path(xlsx_path) if xlsx_path else proposal_dir / XLSX_NAME
    stamp = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = build_report(load_proposal(proposal_dir), stamp)
    page = render_html(data)
    with _staged(html_path) as html_tmp, _staged(xlsx_path) as xlsx_tmp:
        html_tmp.write_text(page, encoding="utf-8")
        write_workbook(data, xlsx_tmp)
        # Both files are complete before either replaces what was there.
        os.replace(html_tmp, html_path)
        os.replace(xlsx_tmp, xlsx_path)
    return html_path, xlsx_path


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target``, removed if it was not renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(name)
    # mkstemp makes the file private; a report is meant to be shared like any other output.
    temp.chmod(0o644)
    try:
        yield temp
    finally:
        temp.unlink(missing_ok=True)
