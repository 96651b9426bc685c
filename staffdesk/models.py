"""The desk's tables: staff, kiosks, help calls, the queue, video slots and bookings, kiosk health and alerts, and
the usage events the centres' statistics are counted from."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Text, UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so that Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    """Naive UTC: SQLite keeps no time zone, so both databases store the same thing."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class CallState(str, enum.Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class TicketState(str, enum.Enum):
    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    # Called, called again, and nobody came: out of the queue, not served.
    NO_SHOW = "no-show"


class Priority(str, enum.Enum):
    NONE = "none"
    SENIOR = "senior"
    DISABILITY = "disability"
    PREGNANCY = "pregnancy"


class Role(str, enum.Enum):
    STAFF = "staff"
    # Every figure of the staff member's own centre: the reports and their exports.
    MANAGER = "manager"
    # Every centre's figures (the network's coordinators, the ministry's analyst).
    NATIONAL = "national"


class SlotState(str, enum.Enum):
    OPEN = "open"
    CANCELLED = "cancelled"


class Centre(Base):
    __tablename__ = "centre"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # In the pilot ring: its kiosks take a new catalogue bundle before every other centre's.
    pilot: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The centre's own layer of its kiosks' settings (kiosk/fleet/layers.py), as JSON, and its revision (0: none).
    settings_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    settings_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF.value, server_default=Role.STAFF.value)


class StaffSession(Base):
    __tablename__ = "staff_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the cookie is kept: a copy of the database opens no console.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    last_used: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginThrottle(Base):
    """Failed logins of one name from one address, and when that pair may try again (see staffdesk.core.throttle)."""
    __tablename__ = "login_throttle"
    # Hashes of "ADDRESS NAME", of the name and of the address: counts attempts without keeping who or where.
    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    not_before: Mapped[dt.datetime] = mapped_column(DateTime)


class Kiosk(Base):
    __tablename__ = "kiosk"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # SHA-256 of a 256-bit random token: a slow hash adds nothing to a secret that long, and lookups stay O(1).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class HelpCall(Base):
    __tablename__ = "help_call"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The kiosk's UUID for this call: an outbox resend finds the row already there. Unique per kiosk only (as in
    # every table below): another kiosk's key must neither clash with nor reveal this one.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosk.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    screen: Mapped[str] = mapped_column(String(80), default="")
    step: Mapped[str] = mapped_column(String(80), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default=CallState.OPEN.value)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_help_call_centre_state", "centre_id", "state"),
                      UniqueConstraint("kiosk_id", "idempotency_key", name="uq_help_call_kiosk_key"))


class QueueService(Base):
    """A service as the centre's queue knows it, with the letter its tickets carry (A012, B003...)."""
    __tablename__ = "queue_service"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    service_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    letter: Mapped[str] = mapped_column(String(4))

    __table_args__ = (UniqueConstraint("centre_id", "service_id", name="uq_queue_service_centre_service"),
                      UniqueConstraint("centre_id", "letter", name="uq_queue_service_centre_letter"))


class QueueCounter(Base):
    """The last number given for one service on one day: incremented in one UPDATE, so desks never clash."""
    __tablename__ = "queue_counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    last_number: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("queue_service_id", "day", name="uq_queue_counter_service_day"),)


class QueueTicket(Base):
    __tablename__ = "queue_ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    queue_service_id: Mapped[int] = mapped_column(ForeignKey("queue_service.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    # The desk's series; None for a number the kiosk gave itself while the desk was unreachable.
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    from_kiosk_series: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[str] = mapped_column(String(20), default=Priority.NONE.value)
    state: Mapped[str] = mapped_column(String(20), default=TicketState.WAITING.value)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"))
    desk: Mapped[str] = mapped_column(String(60), default="")
    # Hash of the secret in the ticket's QR code: the resident's phone may follow this one ticket, nothing else.
    follow_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    called_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Served (done) or given up (no-show): the end of the serving time the statistics report.
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("queue_service_id", "day", "sequence", name="uq_queue_ticket_series"),
                      Index("ix_queue_ticket_service_day_state", "queue_service_id", "day", "state"),
                      UniqueConstraint("kiosk_id", "idempotency_key", name="uq_queue_ticket_kiosk_key"))


class VideoSlot(Base):
    __tablename__ = "video_slot"
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    institution: Mapped[str] = mapped_column(String(10))
    # Empty: any of the institution's topics.
    topic: Mapped[str] = mapped_column(String(40), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_min: Mapped[int] = mapped_column(Integer, default=20)
    room: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(20), default=SlotState.OPEN.value)

    __table_args__ = (Index("ix_video_slot_centre_starts", "centre_id", "starts_at"),)


class VideoBooking(Base):
    __tablename__ = "video_booking"
    id: Mapped[int] = mapped_column(primary_key=True)
    # One booking per slot, enforced by the database: two kiosks booking at once cannot both win.
    slot_id: Mapped[int] = mapped_column(ForeignKey("video_slot.id"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    topic: Mapped[str] = mapped_column(String(40), default="")
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosk.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key", name="uq_video_booking_kiosk_key"),)


class KioskHealth(Base):
    __tablename__ = "kiosk_health"
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosk.id"), primary_key=True)
    last_heartbeat: Mapped[dt.datetime] = mapped_column(DateTime)
    # ok, low, out or unknown, as the kiosk's printer monitor reports them.
    printer_paper: Mapped[str] = mapped_column(String(10), default="unknown")
    printer_toner: Mapped[str] = mapped_column(String(10), default="unknown")
    receipt_paper: Mapped[str] = mapped_column(String(10), default="unknown")
    reader_present: Mapped[bool | None] = mapped_column(Boolean)
    scanner_present: Mapped[bool | None] = mapped_column(Boolean)
    screen: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[str] = mapped_column(String(40), default="")
    # The catalogue bundle the kiosk runs, when it last asked the desk for a newer one, and the last one it refused
    # ("VERSION REASON: detail"; empty once it runs a newer one).
    bundle_version: Mapped[int | None] = mapped_column(Integer)
    bundle_checked: Mapped[dt.datetime | None] = mapped_column(DateTime)
    bundle_refused: Mapped[str] = mapped_column(String(300), default="", server_default="")


class Alert(Base):
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosk.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key", name="uq_alert_kiosk_key"),)


# Row ids of the usage table outgrow 32 bits at national scale within years; SQLite's rowid is 64-bit already.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UsageEvent(Base):
    """One counted thing (see staffdesk.usage): codes, catalogue ids, times and numbers, never anything of a resident."""
    __tablename__ = "usage_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"))
    # The kiosk that counted it, or whose help call or ticket it is about; None for a matter staff logged alone.
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"))
    # The counter or room staff work at, as they named it in the console.
    desk: Mapped[str] = mapped_column(String(60), default="")
    # The kiosk's key for the event (its outbox resends it); None for events the desk makes itself.
    key: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    # consultation or application (a matter staff recorded), else empty.
    matter: Mapped[str] = mapped_column(String(16), default="")
    institution: Mapped[str] = mapped_column(String(10), default="")
    service_id: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(12), default="")
    language: Mapped[str] = mapped_column(String(2), default="")
    # When it happened by the clock of whoever counted it (a kiosk's own, even when delivered days later), naive UTC.
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Its day and month in Latvia: periods are local, and both databases group on a plain date the same way.
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    # Pages for pages printed or scanned; 1 for everything else.
    amount: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("kiosk_id", "key", name="uq_usage_event_kiosk_key"),
                      Index("ix_usage_event_centre_day", "centre_id", "day"),
                      Index("ix_usage_event_day", "day"))


class UsageMonth(Base):
    """Every centre's events added up per month and per everything a report breaks them down by: the reports over all
    centres read these sums (tens of thousands of rows a year) instead of millions of events."""
    __tablename__ = "usage_month"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    matter: Mapped[str] = mapped_column(String(16), primary_key=True)
    institution: Mapped[str] = mapped_column(String(10), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)


class UsageMonthCentre(Base):
    """Each centre's events per month by kind and matter: totals per centre, and a few centres' totals, at once."""
    __tablename__ = "usage_month_centre"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    matter: Mapped[str] = mapped_column(String(16), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)


class UsageMonthDuration(Base):
    """How many events of a kind lasted each whole number of seconds, per month, over every centre: exact medians
    and 90th percentiles of visits, answers and queues without sorting the events themselves."""
    __tablename__ = "usage_month_duration"
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    duration_s: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    events: Mapped[int] = mapped_column(BigInteger)


class Ring(str, enum.Enum):
    """Who takes a bundle: nobody yet, the pilot centres' kiosks, or every kiosk."""
    NONE = ""
    PILOT = "pilot"
    EVERYONE = "everyone"


class FleetBundle(Base):
    """A signed bundle of the national catalogue that the desk carries to the kiosks (kiosk/fleet/bundle.py): the
    desk never holds the key that signs it, and checks the signature before it offers it."""
    __tablename__ = "fleet_bundle"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    keyid: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(300), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ring: Mapped[str] = mapped_column(String(10), default=Ring.NONE.value, server_default="", index=True)
    ring_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
