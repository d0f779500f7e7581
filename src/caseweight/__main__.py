"""Entry point for ``python -m caseweight``."""

from caseweight.cli import main

if __name__ == "__main__":
    main()
