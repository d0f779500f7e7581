"""Entry point for ``python -m caseweight``."""

from caseweight.cli import run

if __name__ == "__main__":
    run()
