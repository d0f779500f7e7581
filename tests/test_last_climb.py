"""The proposal ends with a climb: no single move, chain or swap the climb knows improves it.

The steps after the first climb (CP-SAT neighbourhoods, HiGHS's re-packs and
LP neighbourhoods) move young people off workers whose room no later step
looked at again: a region's 90 s proposal had left 11 waiting, 5 of them
with an eligible worker who had room for them at a tenth of their price.
"""

from __future__ import annotations

import numpy as np

from caseweight.config import Config
from caseweight.demo import DEMO_AS_OF, demo_paths
from caseweight.io.inputs import read_problem
from caseweight.pipeline import propose
from caseweight.solver.instance import Instance
from caseweight.solver.local_search import improve
from caseweight.solver.widen import with_chosen


def with_proposal_pairs(instance: Instance, assignment: np.ndarray) -> Instance:
    """``instance`` with each requirement's proposed worker among its candidates
    (the solve widens its own copy of them)."""
    for role in instance.role_costs:
        instance = with_chosen(instance, role, assignment)
    return instance


def test_the_demo_proposal_is_where_the_climb_stops() -> None:
    config = Config()
    cases, workers = demo_paths()
    proposal = propose(read_problem(cases, workers, DEMO_AS_OF, config), config, time_limit=5.0)
    assert proposal.result.repeatable
    instance = with_proposal_pairs(proposal.instance, proposal.assignment)
    climbed = improve(instance, proposal.assignment, seconds=60)
    assert climbed.converged
    assert np.array_equal(climbed.assignment, proposal.assignment)
