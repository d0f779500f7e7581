"""The CP-SAT optimiser: an integer instance, the model built in parts, and its result."""
