"""Read the DfE SSDA903 (children looked after) return into the contract's cases table.

Example
-------
>>> from caseweight.ssda903 import import_ssda903, write_cases   # doctest: +SKIP
>>> result = import_ssda903("ssda903/", date(2026, 3, 31), allocations="alloc.csv")
>>> write_cases(result.cases, "cases.csv")
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from caseweight.ssda903.build import CASES_COLUMNS, ImportResult, build_cases
from caseweight.ssda903.exports import read_allocations, read_postcodes
from caseweight.ssda903.reader import Findings, read_return

__all__ = ["CASES_COLUMNS", "ImportResult", "import_ssda903", "write_cases"]


def import_ssda903(
    source: str | Path,
    as_of: date,
    allocations: str | Path | None = None,
    postcodes: str | Path | None = None,
) -> ImportResult:
    """Read an SSDA903 return (folder of CSVs or an ``.xlsx`` workbook) as contract cases.

    Parameters
    ----------
    source:
        Folder holding ``header``, ``episodes``, ``uasc``, ``missing``, ``oc3``
        (and optionally ``socialworker``) CSV files, or one workbook with
        those sheets.
    as_of:
        The date on which "in care", ages and the 12-month windows are judged.
    allocations:
        Optional case-management export: person_id (or CHILD), role, worker_id.
    postcodes:
        Optional lookup postcode -> latitude, longitude for placement distances.

    Returns
    -------
    ImportResult
        ``cases`` (text cells, contract columns first), ``warnings`` and ``summary``.

    Raises
    ------
    InputError
        Every error found (missing table or column, unreadable date, clashing
        allocations, ...). Warnings (unknown codes, overlaps) do not raise.
    """
    findings = Findings()
    ret = read_return(source, findings)
    alloc = read_allocations(allocations, as_of, findings) if allocations else None
    lookup = read_postcodes(postcodes, findings) if postcodes else None
    return build_cases(ret, as_of, findings, alloc, lookup)


def write_cases(cases: pd.DataFrame, out: str | Path) -> None:
    """Write ``cases`` as UTF-8 CSV atomically: a temporary file beside ``out``, then rename."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            cases.to_csv(stream, index=False)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
