"""The kiosk's side of the staff desk: a client, a durable outbox, local tickets and the StaffDesk facade."""

from kiosk.staffdesk.client import Booking, DeskUnavailable, Reason, Slot, SlotTaken
from kiosk.staffdesk.facade import CallHandle, CallState, Priority, StaffDesk, Ticket

__all__ = ["StaffDesk", "CallHandle", "CallState", "Priority", "Ticket", "Slot", "Booking", "DeskUnavailable",
           "SlotTaken", "Reason"]
