"""The figures of one proposal: summary.json and the terminal summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from caseweight.problem import Role
from caseweight.solver.instance import COST_SCALE
from caseweight.solver.warm_start import UNALLOCATED

if TYPE_CHECKING:
    from caseweight.pipeline import Proposal


def _max(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return round(float(finite.max()), 4) if finite.size else 0.0


def _spread(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return round(float(finite.std()), 4) if finite.size else 0.0


def role_figures(proposal: Proposal, role: Role) -> dict[str, Any]:
    from caseweight.pipeline import role_workers

    workers = role_workers(proposal, role)
    reqs = [r for r in proposal.instance.requirements if r.role is role]
    target = proposal.config.capacity.target_utilisation
    before = proposal.utilisation_before[workers]
    after = proposal.utilisation_after[workers]
    objective = proposal.result.role_objectives.get(role.value, 0)
    bound = proposal.result.role_bounds.get(role.value, 0)
    return {
        "workers": len(workers),
        "allocations": len(reqs),
        "changes": sum(proposal.is_change_of_worker(r.index) for r in reqs),
        "unallocated": sum(int(proposal.assignment[r.index] == UNALLOCATED) for r in reqs),
        "max_utilisation_before": _max(before),
        "max_utilisation_after": _max(after),
        "spread_before": _spread(before),
        "spread_after": _spread(after),
        "over_target_before": int(np.sum(before > target + 1e-9)),
        "over_target_after": int(np.sum(after > target + 1e-9)),
        "load_points": round(float(proposal.loads_after[workers].sum()) / 10, 1),
        "capacity_points": round(float(proposal.instance.capacity[workers].sum()) / 10, 1),
        # the role's own part of the objective and bound: where the gap lies
        "objective": objective,
        "best_bound": bound,
        "gap": round((objective - bound) / objective, 6) if objective > 0 else 0.0,
    }


def build_summary(proposal: Proposal) -> dict[str, Any]:
    from caseweight.pipeline import moves_by_reason

    result, problem, config = proposal.result, proposal.problem, proposal.config
    n = len(proposal.instance.requirements)
    by_role = {role.value: role_figures(proposal, role) for role in Role}
    holding = [w for w in range(proposal.instance.n_workers) if proposal.instance.balances(w)]
    warnings = list(proposal.demand.warnings)
    gaps = proposal.instance.skill_gaps
    if gaps:
        skills = sorted({s for missing in gaps.values() for s in missing})
        warnings.append(
            f"{len(gaps)} allocation(s) need a skill no eligible worker has: {', '.join(skills)}"
        )
    if not result.repeatable:
        warnings.append(
            "the time limit stopped the search before its planned work was done, so the same "
            "input may give a different proposal: give it more time, or set a lower "
            f"optimiser.machine_speed (now {config.optimiser.machine_speed:g})"
        )
    unallocated = sum(int(proposal.assignment[r] == UNALLOCATED) for r in range(n))
    if unallocated:
        warnings.append(f"{unallocated} allocation(s) could not be made: see allocations.csv")
    sections = _monthly_sections(proposal, warnings)
    return {
        "as_of": problem.as_of.isoformat(),
        "run_id": proposal.run_id,
        "people": len(problem.people),
        "workers": len(problem.workers),
        "allocations": n,
        "changes": sum(proposal.is_change_of_worker(r) for r in range(n)),
        "new_allocations": sum(
            proposal.instance.requirements[r].current_worker is None
            and proposal.assignment[r] != UNALLOCATED
            for r in range(n)
        ),
        "unallocated": unallocated,
        "ended_allocations": len(proposal.demand.ended),
        "max_utilisation": _max(proposal.utilisation_after[holding]),
        "max_utilisation_before": _max(proposal.utilisation_before[holding]),
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": round(result.gap, 6),
        "objective_scale": COST_SCALE,
        "objective_terms": proposal.check.terms,
        "status": result.status.value,
        "repeatable": result.repeatable,
        "solve_seconds": round(result.solve_seconds, 3),
        "build_seconds": round(result.build_seconds, 3),
        "config_sha256": config.sha256,
        "config_version": config.version,
        **problem.digests,
        "seed": config.optimiser.seed,
        "target_utilisation": config.capacity.target_utilisation,
        "hard_limit": config.capacity.hard_limit,
        "moves_by_reason": moves_by_reason(proposal),
        "workers_over_target_before": sum(v["over_target_before"] for v in by_role.values()),
        "workers_over_target_after": sum(v["over_target_after"] for v in by_role.values()),
        "by_role": by_role,
        "check": {"ok": proposal.check.ok, "violations": list(proposal.check.violations)},
        **sections,
        "warnings": warnings,
    }


def _monthly_sections(proposal: Proposal, warnings: list[str]) -> dict[str, Any]:
    """Continuity, pins and transitions sections; their warnings join ``warnings``."""
    from caseweight.transition import handovers, transition_summary

    sections: dict[str, Any] = {}
    if proposal.overrides is not None:
        sections.update(proposal.overrides.notes)
        warnings.extend(proposal.overrides.warnings)
    if proposal.resolved is not None:
        warnings.extend(proposal.resolved.warnings)
        sections["overrides_applied"] = {
            "pinned": len(proposal.resolved.pinned),
            "excluded_pairs": len(proposal.resolved.excluded),
        }
    months = proposal.config.transition_months
    sections["transitions"], transition_warnings = transition_summary(handovers(proposal), months)
    warnings.extend(transition_warnings)
    return sections


def terminal_summary(summary: dict[str, Any], out_dir: str) -> str:
    """A short readable summary for the manager at the terminal."""
    lines = [
        f"Proposal for {summary['people']} young people, {summary['workers']} workers "
        f"as of {summary['as_of']} -> {out_dir}",
        f"  changes of worker: {summary['changes']}; new allocations: "
        f"{summary['new_allocations']}; unallocated: {summary['unallocated']}",
    ]
    moves = summary["moves_by_reason"]
    if moves:
        lines.append("  moves by reason: " + ", ".join(f"{k} {v}" for k, v in moves.items()))
    for role, fig in summary["by_role"].items():
        lines.append(
            f"  {role}: over target {fig['over_target_before']} -> {fig['over_target_after']}, "
            f"max utilisation {fig['max_utilisation_before']:.0%} -> "
            f"{fig['max_utilisation_after']:.0%}, unallocated {fig['unallocated']}, "
            f"gap {fig['gap']:.1%}"
        )
    lines.append(
        f"  solver: {summary['status']} in {summary['solve_seconds']:.1f}s, objective "
        f"{summary['objective']}, bound {summary['best_bound']}, gap {summary['gap']:.2%}; "
        f"independent check: {'all hard rules hold' if summary['check']['ok'] else 'FAILED'}"
    )
    continuity = summary.get("continuity")
    if continuity and continuity.get("source") == "store":
        lines.append(
            f"  continuity: changes of worker and previous workers of "
            f"{continuity['people_from_store']} young people from the history in "
            f"{continuity['database']}; {continuity['rejections_excluded']} rejected move(s) "
            "held back"
        )
    lines += [f"  warning: {w}" for w in summary["warnings"]]
    return "\n".join(lines)
