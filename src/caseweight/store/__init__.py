"""caseweight's database: runs, approvals and each young person's allocation history.

``from caseweight.store import Store`` (and the other names below) import the
store lazily, so that loading :mod:`caseweight.store.cli` for the command line
does not load SQLAlchemy and pandas until a store command runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caseweight.store.approval import ApprovalResult, Rejection, approve, parse_rejection
    from caseweight.store.store import HistoryRow, Store

_HOMES = {
    "ApprovalResult": "caseweight.store.approval",
    "Rejection": "caseweight.store.approval",
    "approve": "caseweight.store.approval",
    "parse_rejection": "caseweight.store.approval",
    "HistoryRow": "caseweight.store.store",
    "Store": "caseweight.store.store",
}
__all__ = ["ApprovalResult", "HistoryRow", "Rejection", "Store", "approve", "parse_rejection"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'caseweight.store' has no attribute {name!r}")
