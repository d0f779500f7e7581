"""caseweight's database: runs, approvals and each young person's allocation history."""

from caseweight.store.approve import ApprovalResult, Rejection, approve, parse_rejection
from caseweight.store.store import HistoryRow, Store

__all__ = ["ApprovalResult", "HistoryRow", "Rejection", "Store", "approve", "parse_rejection"]
