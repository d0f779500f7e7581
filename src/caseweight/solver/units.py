"""Internal units, shared by the model and the independent check."""

#: A thousandth of a penalty unit: costs are integers for CP-SAT.
COST_SCALE = 1000
