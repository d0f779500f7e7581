"""Assemble every table of the report from a proposal, once."""

from __future__ import annotations

from dataclasses import dataclass

from caseweight.report import panels, sections
from caseweight.report.content import ReportTable, WorkerView, number, worker_views
from caseweight.report.load import Proposal

DEFAULT_TARGET, DEFAULT_HARD_LIMIT = 0.9, 1.2


@dataclass(frozen=True)
class ReportData:
    """Everything the HTML page and the workbook show."""

    proposal: Proposal
    generated_at: str
    views: list[WorkerView]
    headline: ReportTable
    reasons: ReportTable
    workers: ReportTable
    moves: ReportTable
    unallocated: ReportTable
    transition: ReportTable
    turning_18: ReportTable
    pa_caseloads: ReportTable
    score_distribution: ReportTable
    heaviest: ReportTable
    config: ReportTable
    allocations: ReportTable

    @property
    def target(self) -> float:
        return number(self.proposal.summary.get("target_utilisation"), DEFAULT_TARGET)

    @property
    def hard_limit(self) -> float:
        return number(self.proposal.summary.get("hard_limit"), DEFAULT_HARD_LIMIT)

    def tables(self) -> list[ReportTable]:
        """All tables in reading order (the workbook's sheets)."""
        return [
            self.headline,
            self.reasons,
            self.workers,
            self.moves,
            self.unallocated,
            self.transition,
            self.turning_18,
            self.pa_caseloads,
            self.score_distribution,
            self.heaviest,
            self.allocations,
            self.config,
        ]


def build_report(proposal: Proposal, generated_at: str) -> ReportData:
    """Compute every table from ``proposal``; ``generated_at`` is shown as the report's stamp."""
    views = worker_views(proposal)
    return ReportData(
        proposal=proposal,
        generated_at=generated_at,
        views=views,
        headline=sections.headline_table(proposal, generated_at),
        reasons=sections.reasons_table(proposal),
        workers=sections.workers_table(views),
        moves=sections.moves_table(proposal),
        unallocated=sections.unallocated_table(proposal),
        transition=panels.transition_table(proposal),
        turning_18=panels.turning_18_table(proposal),
        pa_caseloads=panels.pa_caseloads_table(proposal, views),
        score_distribution=panels.score_distribution_table(proposal),
        heaviest=panels.heaviest_table(proposal),
        config=sections.config_table(proposal, generated_at),
        allocations=sections.allocations_table(proposal),
    )
