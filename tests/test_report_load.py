"""Reading a proposal folder: tolerant of extra and missing optional data, strict on bad values."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from caseweight.errors import InputError
from caseweight.report import load_proposal, write_report
from caseweight.report.cli import report_command
from report_helpers import FIXTURE


@pytest.fixture
def proposal(tmp_path: Path) -> Path:
    folder = tmp_path / "proposal"
    shutil.copytree(FIXTURE, folder)
    return folder


def _edit_csv(path: Path, edit: object) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = edit(rows)  # type: ignore[operator]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_extra_columns_and_keys_are_ignored(proposal: Path) -> None:
    _edit_csv(proposal / "workers.csv", lambda rows: [{**r, "notes": "x"} for r in rows])
    summary = json.loads((proposal / "summary.json").read_text())
    summary["something_new"] = {"nested": [1, 2]}
    (proposal / "summary.json").write_text(json.dumps(summary))
    html_path, _ = write_report(proposal, generated_at="stamp")
    assert "Amira Khan" in html_path.read_text(encoding="utf-8")


def test_missing_optional_columns_and_young_people_file_still_report(proposal: Path) -> None:
    drop = {"name", "team", "grade", "fte", "accepting_new", "leaving", "target_points"}
    _edit_csv(
        proposal / "workers.csv",
        lambda rows: [{k: v for k, v in r.items() if k not in drop} for r in rows],
    )
    _edit_csv(
        proposal / "allocations.csv",
        lambda rows: [{k: v for k, v in r.items() if k != "detail"} for r in rows],
    )
    (proposal / "young_people.csv").unlink()
    summary = json.loads((proposal / "summary.json").read_text())
    for key in ("by_role", "warnings", "gap", "moves_by_reason", "target_utilisation"):
        summary.pop(key)
    (proposal / "summary.json").write_text(json.dumps(summary))
    html_path, xlsx_path = write_report(proposal, generated_at="stamp")
    page = html_path.read_text(encoding="utf-8")
    assert "young_people.csv not in the proposal" in page
    assert "1.9% gap" in page  # recomputed from objective and best bound
    assert xlsx_path.is_file()


def test_a_bad_number_names_file_row_and_column(proposal: Path) -> None:
    def spoil(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[1]["load_after"] = "lots"
        return rows

    _edit_csv(proposal / "workers.csv", spoil)
    with pytest.raises(InputError) as caught:
        load_proposal(proposal)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "workers.csv",
        3,
        "load_after",
        "lots",
    )


def test_missing_required_file_or_column_is_an_input_error(proposal: Path) -> None:
    (proposal / "summary.json").unlink()
    with pytest.raises(InputError, match=r"summary\.json"):
        load_proposal(proposal)
    (proposal / "summary.json").write_text("{}")
    _edit_csv(
        proposal / "scores.csv",
        lambda rows: [{k: v for k, v in r.items() if k != "score"} for r in rows],
    )
    with pytest.raises(InputError, match="column 'score'"):
        load_proposal(proposal)


def test_bad_proposal_writes_nothing_and_keeps_the_old_report(proposal: Path) -> None:
    write_report(proposal, generated_at="first")
    before = (proposal / "report.html").read_bytes()
    (proposal / "summary.json").write_text("[1, 2]")
    with pytest.raises(InputError):
        write_report(proposal, generated_at="second")
    assert (proposal / "report.html").read_bytes() == before
    assert not [p for p in proposal.iterdir() if p.name.endswith(".tmp")]


def test_cli_writes_where_asked(proposal: Path, tmp_path: Path) -> None:
    html_path, xlsx_path = tmp_path / "out" / "april.html", tmp_path / "out" / "april.xlsx"
    result = CliRunner().invoke(
        report_command, [str(proposal), "--html", str(html_path), "--xlsx", str(xlsx_path)]
    )
    assert result.exit_code == 0, result.output
    assert html_path.is_file() and xlsx_path.is_file()
    assert str(html_path) in result.output


def test_cli_bad_proposal_exits_2_with_a_message_not_a_traceback(proposal: Path) -> None:
    (proposal / "allocations.csv").unlink()
    result = CliRunner().invoke(report_command, [str(proposal)])
    assert result.exit_code == 2
    assert "allocations.csv" in result.output and "Traceback" not in result.output


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(report_command, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_an_empty_proposal_still_gives_a_report(tmp_path: Path) -> None:
    for name in ("allocations.csv", "workers.csv", "scores.csv", "young_people.csv"):
        header = (FIXTURE / name).read_text(encoding="utf-8").splitlines()[0]
        (tmp_path / name).write_text(header + "\n", encoding="utf-8")
    (tmp_path / "summary.json").write_text('{"as_of": "2026-04-01"}', encoding="utf-8")
    html_path, xlsx_path = write_report(tmp_path, generated_at="stamp")
    page = html_path.read_text(encoding="utf-8")
    assert "No changes proposed." in page and "Nobody turns 18 in this period." in page
    assert xlsx_path.stat().st_size > 0


def test_reasons_left_out_of_the_summary_are_counted_from_allocations(proposal: Path) -> None:
    from caseweight.report import build_report

    summary = json.loads((proposal / "summary.json").read_text())
    summary["moves_by_reason"] = {"worker_leaving": 3, "balance": 1}
    (proposal / "summary.json").write_text(json.dumps(summary))
    reasons = {r[0]: r[2] for r in build_report(load_proposal(proposal), "s").reasons.rows}
    assert reasons["worker_leaving"] == 3 and reasons["balance"] == 1  # as given
    assert reasons["no_capacity"] == 1 and reasons["no_eligible_worker"] == 1  # counted
    assert reasons["personal_adviser_due"] == 2 and "kept" not in reasons
