"""caseweight: caseload weighting and allocation optimiser for children's social care."""

__version__ = "0.1.0"
