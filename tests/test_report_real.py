"""The report of a real ``caseweight allocate`` run (small seeded authority, hostile names)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from caseweight.report import write_report
from report_helpers import HOSTILE_WORKERS, allocate_small_authority


@pytest.fixture(scope="module")
def proposal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return allocate_small_authority(tmp_path_factory.mktemp("authority"))


def test_allocate_writes_the_report_into_the_proposal(proposal: Path) -> None:
    page = (proposal / "report.html").read_text(encoding="utf-8")
    summary = json.loads((proposal / "summary.json").read_text(encoding="utf-8"))
    with (proposal / "allocations.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    moved = [r for r in rows if r["changed"] == "true" and r["proposed_worker_id"]]
    table = re.search(r'<table id="moves-table"[^>]*>.*?<tbody>(.*?)</tbody>', page, re.S)
    assert table and table.group(1).count("<tr>") == len(moved) > 0
    assert str(summary["config_sha256"]) in page
    assert f"of {summary['allocations']:,} allocations" in page


def test_hostile_names_from_real_inputs_are_escaped(proposal: Path) -> None:
    page = (proposal / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    book = load_workbook(proposal / "report.xlsx")
    values = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                values.add(cell.value)
    assert f"{HOSTILE_WORKERS['SW3']} (SW3)" in values
    assert "-42" in values and "+447700" in values  # numeric-looking ids stay text
    assert "&lt;b&gt;YP3&lt;/b&gt;" in page and "<b>YP3</b>" not in page


def test_no_report_flag_leaves_it_out(tmp_path: Path) -> None:
    proposal = allocate_small_authority(tmp_path, report=False)
    assert not (proposal / "report.html").exists()
    write_report(proposal, generated_at="later")
    assert (proposal / "report.html").is_file() and (proposal / "report.xlsx").is_file()
