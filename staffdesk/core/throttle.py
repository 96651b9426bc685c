"""Login throttling per address and name: a growing wait after repeated failures, never a lockout by others."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from staffdesk.core.security import subject_hash
from staffdesk.models import LoginThrottle, utcnow

log = logging.getLogger(__name__)
# The wait doubles with each failure past the free ones (1 s, 2 s, 4 s... by default) up to this: a guesser gets
# about one try a minute per name and address, while a staff member who mistyped waits seconds, not minutes.
MAX_DELAY_S = 60
# Failed logins from one address under this many names, or for one name from this many addresses, within the
# window are reported to the IT administrator in the log (each further name or address again).
PATTERN_NAMES = 5
PATTERN_ADDRESSES = 5

_table = LoginThrottle.__table__


class Throttled(Exception):
    """This name was tried too often from this address just now; `retry_after_s` says when it may try again."""

    def __init__(self, retry_after_s: int):
        super().__init__(f"try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Attempt:
    """A login attempt already counted as a failure (claim()); a right password takes it back (succeeded())."""
    subject: str
    account: str
    client: str
    failures: int
    name: str
    address: str


@dataclass(frozen=True)
class Policy:
    free: int           # failures before the first wait
    first_wait_s: int   # the first wait; each further failure doubles it
    window_s: int       # a pair's count starts again after this long without a failure

    def delay_s(self, failures: int) -> int:
        """The wait after this many failures in a row: none before `free`, then doubling."""
        if failures < self.free:
            return 0
        return min(self.first_wait_s * 2 ** min(failures - self.free, 16), max(MAX_DELAY_S, self.first_wait_s))


def claim(session: Session, name: str, address: str, policy: Policy) -> Attempt:
    """Count this attempt as failed before its password is checked, all in one transaction.

    Counting first makes the limit atomic: the row's UPDATE takes it only while the wait has passed, and a
    parallel attempt on the same row waits for this transaction, then sees the new wait and is refused. Were the
    count read first and a failure written after the check, 30 parallel guesses would all get through.
    Raises Throttled while the pair must wait.
    """
    name = name.strip()
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=policy.window_s)
    attempt = Attempt(subject_hash("attempt", f"{address}\0{name}"), subject_hash("account", name),
                      subject_hash("client", address), 0, name, address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_at < cutoff, LoginThrottle.not_before <= now))
    failures = None
    for _attempt in range(3):
        # A failure older than the window starts the count again.
        failures = session.scalar(
            update(_table).where(_table.c.subject_hash == attempt.subject, _table.c.not_before <= now)
            .values(failures=case((_table.c.last_at < cutoff, 1), else_=_table.c.failures + 1), last_at=now)
            .returning(_table.c.failures))
        if failures is not None:
            break
        waits_until = session.scalar(select(_table.c.not_before).where(_table.c.subject_hash == attempt.subject))
        if waits_until is not None:
            # `now` was read before this transaction waited for the row (or SQLite's writer): a wait that has
            # passed meanwhile is no reason to refuse.
            fresh = utcnow()
            if waits_until <= fresh:
                now = fresh
                continue
            session.commit()
            raise Throttled(max(1, math.ceil((waits_until - fresh).total_seconds())))
        try:
            with session.begin_nested():
                session.execute(insert(_table).values(subject_hash=attempt.subject, account_hash=attempt.account,
                                                      client_hash=attempt.client, failures=1, last_at=now,
                                                      not_before=now))
            failures = 1
            break
        except IntegrityError:  # a parallel first attempt made the row: take the UPDATE path on it
            continue
    if failures is None:
        session.commit()
        raise Throttled(1)
    delay = policy.delay_s(failures)
    if delay:  # without a wait the row keeps its old time: a parallel attempt's earlier `now` still passes
        session.execute(update(_table).where(_table.c.subject_hash == attempt.subject)
                        .values(not_before=now + dt.timedelta(seconds=delay)))
    session.commit()
    return Attempt(attempt.subject, attempt.account, attempt.client, failures, name, address)


def succeeded(session: Session, attempt: Attempt) -> None:
    """A right password: the pair starts afresh."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.subject_hash == attempt.subject))
    session.commit()


def failed(session: Session, attempt: Attempt, policy: Policy) -> None:
    """A wrong password (already counted): tell the IT administrator when it forms a pattern."""
    window_s = policy.window_s
    if attempt.failures == policy.free:
        log.warning("login: %d failed attempts for the name %r from %s; each further try there waits longer",
                    attempt.failures, attempt.name[:100], attempt.address)
    if attempt.failures != 1:
        return  # names and addresses are counted once, when their pair first fails
    cutoff = utcnow() - dt.timedelta(seconds=window_s)
    names = session.scalar(select(func.count()).select_from(_table)
                           .where(_table.c.client_hash == attempt.client, _table.c.last_at >= cutoff))
    addresses = session.scalar(select(func.count()).select_from(_table)
                               .where(_table.c.account_hash == attempt.account, _table.c.last_at >= cutoff))
    session.commit()
    if names >= PATTERN_NAMES:
        log.warning("login: failed attempts under %d names from %s within %d s: someone there may be guessing "
                    "names or passwords", names, attempt.address, window_s)
    if addresses >= PATTERN_ADDRESSES:
        log.warning("login: failed attempts for the name %r from %d addresses within %d s: someone may be "
                    "guessing its password from many places", attempt.name[:100], addresses, window_s)
