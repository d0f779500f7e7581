"""The HTML page: escaping, no network, content traced back to the proposal files."""

from __future__ import annotations

import base64
import csv
import hashlib
import re
from pathlib import Path

import pytest

from caseweight.report import build_report, load_proposal, write_report
from caseweight.report.html import render_html
from report_helpers import FIXTURE

STAMP = "2026-04-01 09:00 UTC"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report")
    html_path, _ = write_report(FIXTURE, out / "r.html", out / "r.xlsx", generated_at=STAMP)
    return html_path.read_text(encoding="utf-8")


def _rows(page: str, table_id: str) -> list[str]:
    match = re.search(rf'<table id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, table_id
    return re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)


def test_hostile_worker_name_is_shown_as_text_never_as_markup(page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert page.count("<script") == 1  # ours, at the end of the page


def test_warnings_from_summary_are_escaped(page: str) -> None:
    assert "&lt;b&gt;not bold&lt;/b&gt; warning text is escaped" in page
    assert "<b>not bold</b>" not in page


def test_page_fetches_nothing(page: str) -> None:
    assert "src=" not in page
    assert "<link" not in page
    assert "url(" not in page and "@import" not in page
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', page))


def test_content_security_policy_allows_only_our_script(page: str) -> None:
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert script
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp and f"script-src &#x27;sha256-{digest}&#x27;" in csp.group(1)
    assert "default-src &#x27;none&#x27;" in csp.group(1)


def test_moves_table_lists_every_changed_allocation(page: str) -> None:
    with (FIXTURE / "allocations.csv").open(encoding="utf-8") as handle:
        expected = [
            r for r in csv.DictReader(handle) if r["changed"] == "true" and r["proposed_worker_id"]
        ]
    rows = _rows(page, "moves-table")
    assert len(rows) == len(expected) == 10
    assert any("YP002" in r and "Amira Khan (SW1)" in r for r in rows)


def test_unallocated_young_people_are_listed_with_why(page: str) -> None:
    rows = _rows(page, "unallocated-table")
    assert len(rows) == 2
    assert "YP014" in rows[0] and "no worker has room" in rows[0].lower()
    assert "YP015" in rows[1] and "no eligible worker" in rows[1].lower()


def test_headline_shows_over_target_before_and_after_and_gap(page: str) -> None:
    assert "3 → 7" in page
    assert "1.9% gap" in page
    assert "2026.1-test" in page
    assert "3f1c9a0d5e7b2c4f6a8d0e1b3c5f7a9d2e4b6c8f0a1d3e5f7b9c1d3e5f7a9b0c" in page


def test_each_worker_lists_the_young_people_they_would_hold(page: str) -> None:
    details = re.findall(r'<details id="w\d-\d+">(.*?)</details>', page, re.S)
    assert len(details) == 8
    amira = next(d for d in details if "YP002" in d)
    assert "4 young people" in amira and "YP003" in amira and "YP010" in amira


def test_charts_are_inline_svg_with_one_bar_group_per_worker(page: str) -> None:
    assert page.count('class="worker-bar"') == 8
    assert page.count("<svg") >= 6


def test_same_input_gives_the_same_page() -> None:
    first = render_html(build_report(load_proposal(FIXTURE), STAMP))
    second = render_html(build_report(load_proposal(FIXTURE), STAMP))
    assert first == second


def test_report_written_inside_the_proposal_by_default(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "proposal"
    shutil.copytree(FIXTURE, folder)
    html_path, xlsx_path = write_report(folder)
    assert html_path == folder / "report.html" and html_path.stat().st_size > 10_000
    assert xlsx_path == folder / "report.xlsx" and xlsx_path.stat().st_size > 5_000
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
