"""Report size and build time for the demo authority (about 1,400 young people, 85 workers).

Usage::

    python benchmarks/bench_report.py                  # allocate the demo, then time the report
    python benchmarks/bench_report.py --proposal DIR   # time the report of an existing proposal

Prints the HTML and workbook sizes (aim: HTML well under 2 MB) and the seconds
spent reading the proposal, rendering the page and writing the workbook.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from caseweight.report import build_report, load_proposal, write_report
from caseweight.report.html import render_html
from caseweight.report.workbook import write_workbook

LIMIT_BYTES = 2 * 1024 * 1024


def allocate_demo(out: Path, time_limit: float) -> Path:
    """Run ``caseweight allocate`` on the bundled demo authority, without a report."""
    from caseweight.cli import main

    args = [
        "allocate",
        "--out",
        str(out),
        "--no-report",
        "--quiet",
        "--time-limit",
        str(time_limit),
    ]
    started = time.perf_counter()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    if result.exit_code != 0:
        sys.exit(f"allocate failed ({result.exit_code}):\n{result.output}")
    print(f"allocate (demo, time limit {time_limit:g} s): {time.perf_counter() - started:.1f} s")
    return out


def measure(proposal: Path, scratch: Path) -> None:
    """Time each step, then the whole of :func:`write_report`, and print the sizes."""
    t = time.perf_counter()
    write_report(proposal, scratch / "cold.html", scratch / "cold.xlsx")
    cold_s = time.perf_counter() - t
    started = time.perf_counter()
    loaded = load_proposal(proposal)
    read_s = time.perf_counter() - started
    data = build_report(loaded, "benchmark")
    tables_s = time.perf_counter() - started - read_s
    t = time.perf_counter()
    page = render_html(data)
    html_s = time.perf_counter() - t
    t = time.perf_counter()
    write_workbook(data, scratch / "step.xlsx")
    xlsx_s = time.perf_counter() - t
    t = time.perf_counter()
    html_path, xlsx_path = write_report(proposal, scratch / "report.html", scratch / "report.xlsx")
    total_s = time.perf_counter() - t
    summary = loaded.summary
    html_bytes, xlsx_bytes = html_path.stat().st_size, xlsx_path.stat().st_size
    print(
        f"proposal: {summary.get('people')} young people, {summary.get('workers')} workers, "
        f"{len(loaded.allocations)} allocations, {len(data.moves.rows)} moves, "
        f"{len(data.unallocated.rows)} unallocated"
    )
    print(f"read proposal     {read_s:6.2f} s")
    print(f"build tables      {tables_s:6.2f} s")
    print(f"render HTML       {html_s:6.2f} s  ({len(page.encode()):,} bytes)")
    print(f"write workbook    {xlsx_s:6.2f} s")
    print(f"write_report      {cold_s:6.2f} s  first call in the process (imports included)")
    print(f"write_report      {total_s:6.2f} s  warm (read + build + both files, atomically)")
    print(f"report.html       {html_bytes:>10,} bytes ({html_bytes / LIMIT_BYTES:.0%} of 2 MB)")
    print(f"report.xlsx       {xlsx_bytes:>10,} bytes")
    print(
        json.dumps(
            {
                "html_bytes": html_bytes,
                "xlsx_bytes": xlsx_bytes,
                "write_report_seconds": round(total_s, 3),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposal", type=Path, help="an existing proposal folder")
    parser.add_argument("--time-limit", type=float, default=30.0, help="solver seconds (demo)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        scratch = Path(tmp)
        proposal = args.proposal or allocate_demo(scratch / "proposal", args.time_limit)
        measure(proposal, scratch)


if __name__ == "__main__":
    main()
