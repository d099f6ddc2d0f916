"""Every write of micro-projects: the project's life and the money it moves.

Split along the project's life: ``proposal`` (propose, back, review), ``money``
(rules and funds, pledges, payments, refunds, expiry, the match) and ``delivery``
(milestones, expenses, completion, ratings), with ``_common`` for what they share.
Every public name is re-exported here, so ``services.record_payment`` keeps working.

Each function checks everything first (a refusal is a ``BadInput`` naming the field,
``NotAllowed`` for the wrong stage, ``Forbidden``), then writes in one transaction,
with the audit log's actor set. Money moves only through ``ledger``: a project's
money is changed under its row lock (``select_for_update`` on the project, then the
holding accounts in id order), so the stored balances, the project's ``paid_in`` and
``matched`` and the entries all move together.

Matching (配套资金): approval reserves the project's match cap from the community fund
into the project's reserve; as residents' money arrives the project draws from the
reserve up to ``match_target`` (one definition, in ``money``); when residents' money goes
back (a refund, a payment reversed) the excess match goes back to the reserve; when
funding ends the unused reserve goes back to the fund. So the fund never pays more
than the ratio, and never more than it holds.
"""

from ._common import (
    AMOUNT_MAX,
    MONEY_COUNTERS,
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Kind,
    Stage,
    T,
    masked_name,
    rules_for,
    yuan,
)
from .batch import BATCH_MAX, LinesRefused, record_payments
from .delivery import (
    add_milestone,
    complete,
    complete_milestone,
    overspend_guard,
    rate,
    record_expense,
    reverse_expense,
)
from .money import (
    Recorded,
    allocate,
    close_funding,
    expire_due,
    match_target,
    open_fund,
    pledge,
    raised,
    record_payment,
    refund_payment,
    reverse_payment,
    set_rules,
)
from .proposal import Line, back, propose, resubmit, review

__all__ = [
    "AMOUNT_MAX",
    "BATCH_MAX",
    "MONEY_COUNTERS",
    "NAME_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "Kind",
    "Line",
    "LinesRefused",
    "Recorded",
    "Stage",
    "T",
    "add_milestone",
    "allocate",
    "back",
    "close_funding",
    "complete",
    "complete_milestone",
    "expire_due",
    "masked_name",
    "match_target",
    "open_fund",
    "overspend_guard",
    "pledge",
    "propose",
    "raised",
    "rate",
    "record_expense",
    "record_payment",
    "record_payments",
    "refund_payment",
    "resubmit",
    "reverse_expense",
    "reverse_payment",
    "review",
    "rules_for",
    "set_rules",
    "yuan",
]
